import { describeLayerMath } from '../../test/helpers/check-layer-math';
import { rnnReluLayerMath, rnnTanhLayerMath } from './rnn-layer-impl';

describeLayerMath('rnn_tanh', rnnTanhLayerMath);
describeLayerMath('rnn_relu', rnnReluLayerMath);
