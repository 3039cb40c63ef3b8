#!/usr/bin/python3
"""Golden fixtures from PyTorch for @tbptt/models.

Writes, for each case, test/fixtures/pytorch/<case>.safetensors (the float32 state_dict, written by hand
with struct + json: the safetensors Python package is not needed) and <case>.json (spec, inputs, targets,
initial state, and the expected logits, final state, mean cross-entropy loss and gradients of the loss with
respect to every parameter and every initial-state component, computed in float64 from the float32 weights).

The module mirrors the library's model: `encoder` nn.Embedding (embedding input only), `rnn` nn.LSTM / nn.GRU /
nn.RNN (batch_first=False, so [T, B, ...]), `decoder` nn.Linear, optional tying (decoder.weight is
encoder.weight). State order in the library is [h0, c0, h1, c1, ...] (LSTM) or [h0, h1, ...].

Usage:
    /usr/bin/python3 scripts/make-fixtures.py            # regenerate test/fixtures/pytorch
    /usr/bin/python3 scripts/make-fixtures.py --check F  # load a safetensors file written by the library into
                                                         # the matching torch module (strict state_dict load)
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'pytorch')

CASES = [
    # name, cell, input, vocabSize or featureSize, embeddingSize, hiddenSize, numLayers, outputSize, tie
    ('lstm-embedding', 'lstm', 'embedding', 7, 5, 4, 2, 6, False),
    ('lstm-dense', 'lstm', 'dense', 3, None, 4, 2, 5, False),
    ('lstm-tied', 'lstm', 'embedding', 6, 4, 4, 2, 6, True),
    ('gru-embedding', 'gru', 'embedding', 7, 5, 4, 2, 6, False),
    ('gru-dense', 'gru', 'dense', 3, None, 4, 2, 5, False),
    ('rnn_tanh-embedding', 'rnn_tanh', 'embedding', 7, 5, 4, 2, 6, False),
    ('rnn_tanh-dense', 'rnn_tanh', 'dense', 3, None, 4, 2, 5, False),
    ('rnn_relu-embedding', 'rnn_relu', 'embedding', 7, 5, 4, 2, 6, False),
    ('rnn_relu-dense', 'rnn_relu', 'dense', 3, None, 4, 2, 5, False),
]
STEPS, BATCH = 5, 3


class Model(nn.Module):
    def __init__(self, cell, input_kind, input_size, embedding_size, hidden, layers, outputs, tie):
        super().__init__()
        width = input_size
        if input_kind == 'embedding':
            self.encoder = nn.Embedding(input_size, embedding_size)
            width = embedding_size
        if cell == 'lstm':
            self.rnn = nn.LSTM(width, hidden, layers)
        elif cell == 'gru':
            self.rnn = nn.GRU(width, hidden, layers)
        else:
            self.rnn = nn.RNN(width, hidden, layers, nonlinearity=cell.split('_')[1])
        self.decoder = nn.Linear(hidden, outputs)
        if tie:
            self.decoder.weight = self.encoder.weight
        self.cell = cell

    def forward(self, inputs, state):
        x = self.encoder(inputs) if hasattr(self, 'encoder') else inputs
        if self.cell == 'lstm':
            layers = len(state) // 2
            h = torch.stack([state[2 * l] for l in range(layers)])
            c = torch.stack([state[2 * l + 1] for l in range(layers)])
            out, (hn, cn) = self.rnn(x, (h, c))
            final = [t for l in range(layers) for t in (hn[l], cn[l])]
        else:
            out, hn = self.rnn(x, torch.stack(list(state)))
            final = list(hn)
        return self.decoder(out), final


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 LE header length, JSON header padded to 8 bytes, LE float32 data."""
    header = {'__metadata__': metadata}
    offset = 0
    blobs = []
    for name, tensor in tensors:
        data = tensor.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(',', ':')).encode('utf-8')
    raw += b' ' * ((8 - (8 + len(raw)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    metadata = header.pop('__metadata__', {})
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        assert entry['dtype'] == 'F32', entry
        begin, end = entry['data_offsets']
        values = struct.unpack('<%df' % ((end - begin) // 4), data[base + begin:base + end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(entry['shape'])
    return tensors, metadata


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_case(index, name, cell, input_kind, input_size, embedding_size, hidden, layers, outputs, tie):
    torch.manual_seed(1000 + index)
    model = Model(cell, input_kind, input_size, embedding_size, hidden, layers, outputs, tie)
    with torch.no_grad():
        for p in model.parameters():  # wider than the default ±1/√H, so every term matters
            p.uniform_(-0.8, 0.8)
    state_dict = list(model.state_dict().items())
    size_key = 'vocabSize' if input_kind == 'embedding' else 'featureSize'
    spec = {'cell': cell, 'input': input_kind, size_key: input_size, 'hiddenSize': hidden,
            'numLayers': layers, 'outputSize': outputs, 'tieWeights': tie}
    if embedding_size is not None:
        spec['embeddingSize'] = embedding_size
    write_safetensors(os.path.join(OUT, name + '.safetensors'), state_dict, {'format': 'pt'})

    if input_kind == 'embedding':
        inputs = torch.randint(0, input_size, (STEPS, BATCH))
        inputs_json = inputs.reshape(-1).tolist()
    else:
        inputs = torch.randn(STEPS, BATCH, input_size).to(torch.float32)
        inputs_json = flat(inputs)
    targets = torch.randint(0, outputs, (STEPS * BATCH,))
    components = layers * (2 if cell == 'lstm' else 1)
    state = [(torch.rand(BATCH, hidden) * 1.6 - 0.8).to(torch.float32) for _ in range(components)]

    # float64 from the float32 weights and inputs
    model = model.double()
    state64 = [s.double().requires_grad_(True) for s in state]
    x = inputs if input_kind == 'embedding' else inputs.double()
    logits, final = model(x, state64)
    loss = F.cross_entropy(logits.reshape(-1, outputs), targets)
    params = dict(model.named_parameters())  # tied: encoder.weight only
    grads = torch.autograd.grad(loss, list(params.values()) + state64)
    names = list(params.keys())
    case = {
        'name': name,
        'spec': spec,
        'steps': STEPS,
        'batch': BATCH,
        'inputs': inputs_json,
        'targets': targets.tolist(),
        'initialState': [flat(s) for s in state],
        'expected': {
            'logits': flat(logits),
            'finalState': [flat(s) for s in final],
            'loss': float(loss),
            'grads': {n: flat(g) for n, g in zip(names, grads[:len(names)])},
            'stateGrads': [flat(g) for g in grads[len(names):]],
        },
        'torch': torch.__version__,
    }
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(case, f)
        f.write('\n')
    print('wrote', name, 'loss', float(loss))


def check(path):
    """Loads a library-written file into the matching torch module (strict) and runs it once."""
    tensors, metadata = read_safetensors(path)
    spec = json.loads(metadata['tbptt.spec'])
    model = Model(spec['cell'], spec['input'], spec.get('vocabSize') or spec['featureSize'], spec.get('embeddingSize') or None,
                  spec['hiddenSize'], spec['numLayers'], spec['outputSize'], spec['tieWeights'])
    model.load_state_dict(tensors, strict=True)
    print('loaded', path, 'into', model.rnn, 'strict: ok')


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        check(sys.argv[2])
    else:
        os.makedirs(OUT, exist_ok=True)
        for i, case in enumerate(CASES):
            make_case(i, *case)
