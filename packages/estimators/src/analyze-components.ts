import { type AnalyzeOptions, analyzeProfile, type ProfileAnalysis } from './analyze-profile.js';
import { ZeroProfileError } from './errors.js';
import type { GradientNormProfile } from './profile.js';

/** Profiles of the whole state and of each state component ('l0.h', 'l0.c', …), from one probe. */
export interface ComponentProfiles {
  total: GradientNormProfile;
  components: Readonly<Record<string, GradientNormProfile>>;
}

export interface ComponentAnalysis {
  /** The analysis of the whole state h (every layer's hidden and cell state concatenated). */
  total: ProfileAnalysis;
  /**
   * One analysis per component, in the order given. `null` where that component's profile is 0 at every lag
   * (e.g. a cell state the loss never reaches): it has no decay to estimate.
   */
  components: Record<string, ProfileAnalysis | null>;
}

/**
 * {@link analyzeProfile} on the total profile and on each component's profile, with the same options, so
 * that one can see which layer's hidden or cell state carries the slow-decaying gradient (the per-component
 * plots of Section 5 of Aicher, Foti & Fox 2019).
 *
 * @throws ZeroProfileError when the total profile is 0 everywhere.
 */
export function analyzeComponents(
  profiles: ComponentProfiles,
  options: AnalyzeOptions = {},
): ComponentAnalysis {
  const total = analyzeProfile(profiles.total, options);
  const components: Record<string, ProfileAnalysis | null> = {};
  for (const [name, profile] of Object.entries(profiles.components)) {
    try {
      components[name] = analyzeProfile(profile, options);
    } catch (error) {
      if (!(error instanceof ZeroProfileError)) throw error;
      components[name] = null;
    }
  }
  return { total, components };
}
