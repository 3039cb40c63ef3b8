#!/usr/bin/env node
// The `tbptt` command. A committed file (not built) so that npm links the bin at install time, before the build.
import '../dist/bin.js';
