import { describeLayerMath } from '../../test/helpers/check-layer-math';
import { gruLayerMath } from './gru-layer-impl';

describeLayerMath('gru', gruLayerMath);
