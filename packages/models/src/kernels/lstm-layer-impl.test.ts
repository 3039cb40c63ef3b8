import { describeLayerMath } from '../../test/helpers/check-layer-math';
import { lstmLayerMath } from './lstm-layer-impl';

describeLayerMath('lstm', lstmLayerMath);
