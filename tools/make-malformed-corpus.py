#!/usr/bin/env python3
"""Writes Tests/MicrogradTests/Fixtures/malformed/: inputs no reader may crash on.

Plain Python (no numpy). Every file is small (under 2 KB). Names say what is wrong:
  bad-*   the library throws reading it; the tools exit 1 with one line;
  nan-*   a well-formed file holding NaN or infinity: reads fine, and a run
          checking numerics (the default of `micrograd run`) stops with one line.
  ok-*    the good program, weights and inputs the bad ones are run beside.
Run it from the repository root; the output is deterministic.
"""
import json, os, struct

OUT = "Tests/MicrogradTests/Fixtures/malformed"


def npy(shape, values, descr="<f4", version=(1, 0), header=None, fortran=False):
    if header is None:
        dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, fortran, dims)
    length_size = 2 if version[0] == 1 else 4
    pad = (64 - (10 + length_size - 2 + len(header) + 1) % 64) % 64
    text = (header + " " * pad + "\n").encode()
    length = struct.pack("<H" if length_size == 2 else "<I", len(text))
    data = b"".join(struct.pack("<f", v) for v in values)
    return b"\x93NUMPY" + bytes(version) + length + text + data


def safetensors(entries, data, header=None, length=None):
    """entries: name -> (dtype, shape, [begin, end])."""
    if header is None:
        header = json.dumps({k: {"dtype": d, "shape": s, "data_offsets": o} for k, (d, s, o) in entries.items()})
    raw = header.encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def floats(values):
    return b"".join(struct.pack("<f", v) for v in values)


GOOD_PROGRAM = """micrograd-ir 1
func @main(
    %0: f32[2,3] input "x",
    %1: f32[3,2] param "w"
) -> (%3 "y") {
  ## forward
  %2 = matmul %0, %1 : f32[2,2]  @ corpus.swift:1
  %3 = exp %2 : f32[2,2]  @ corpus.swift:2
  return %3
}
"""

W = [0.5, -1, 0.25, 2, 1, -0.5]
X = [1, 2, 3, -1, 0.5, 0]
files = {}
files["ok-program.mgir"] = GOOD_PROGRAM.encode()
files["ok-weights.safetensors"] = safetensors({"w": ("F32", [3, 2], [0, 24])}, floats(W))
files["ok-x.npy"] = npy([2, 3], X)

# .mgir
files["bad-truncated.mgir"] = GOOD_PROGRAM.encode()[:150]
corrupted = bytearray(GOOD_PROGRAM.encode())
for k in range(40, len(corrupted), 23):
    corrupted[k] = (corrupted[k] * 7 + 13) % 256
files["bad-corrupted.mgir"] = bytes(corrupted)
files["bad-absurd-shape.mgir"] = GOOD_PROGRAM.replace("f32[2,3] input", "f32[4000000000,4000000000] input").encode()
files["bad-overflowing-shape.mgir"] = GOOD_PROGRAM.replace(
    "f32[2,3] input", "f32[9223372036854775807,9223372036854775807,2] input").encode()
files["bad-negative-shape.mgir"] = GOOD_PROGRAM.replace("f32[2,3] input", "f32[-2,3] input").encode()
files["bad-dtype.mgir"] = GOOD_PROGRAM.replace("f32[3,2] param", "f64[3,2] param").encode()
files["bad-version.mgir"] = GOOD_PROGRAM.replace("micrograd-ir 1", "micrograd-ir 99").encode()
files["bad-shapes-disagree.mgir"] = GOOD_PROGRAM.replace("%2 = matmul %0, %1 : f32[2,2]", "%2 = matmul %0, %1 : f32[3,3]").encode()
files["bad-binary.mgir"] = bytes(range(256)) * 2
files["nan-constant.mgir"] = GOOD_PROGRAM.replace(
    '%1: f32[3,2] param "w"', '%1: f32[3,2] param "w",\n    %4: f32[2,2] const(1, nan, 3, 4)').replace(
    "%3 = exp %2 : f32[2,2]  @ corpus.swift:2", "%3 = add %2, %4 : f32[2,2]  @ corpus.swift:2").encode()

# .npy (the input x, f32[2,3])
good_x = files["ok-x.npy"]
files["bad-truncated-header.npy"] = good_x[:40]
files["bad-truncated-data.npy"] = good_x[:-5]
files["bad-magic.npy"] = b"\x93NUMPZ" + good_x[6:]
files["bad-version.npy"] = good_x[:6] + bytes([9, 0]) + good_x[8:]
files["bad-header-length.npy"] = npy([2, 3], X, version=(2, 0))[:8] + struct.pack("<I", 0xFFFFFFF0) + b"{'descr': '<f4'"
files["bad-absurd-shape.npy"] = npy([100000, 100000, 100000], X)
files["bad-overflowing-shape.npy"] = npy([2**62, 2**62], X)
files["bad-negative-shape.npy"] = npy([-1, 3], X)
files["bad-dtype-complex.npy"] = npy([2, 3], [0.0] * 12, descr="<c8")
files["bad-dtype-string.npy"] = npy([2], [0.0] * 6, descr="<U3")
files["bad-dtype-object.npy"] = npy([2], [0.0, 0.0], descr="|O")
files["bad-header-syntax.npy"] = npy([2, 3], X, header="{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3 }")
files["bad-header-not-dict.npy"] = npy([2, 3], X, header="[1, 2, 3]")
files["nan-values.npy"] = npy([2, 3], [1, float("nan"), 3, -1, 0.5, 0])
files["nan-infinity.npy"] = npy([2, 3], [1, 2, float("inf"), -1, 0.5, 0])

# .safetensors (the weights, w: F32[3,2])
good_w = files["ok-weights.safetensors"]
files["bad-truncated-header.safetensors"] = good_w[:30]
files["bad-truncated-data.safetensors"] = good_w[:-8]
files["bad-header-length.safetensors"] = struct.pack("<Q", 2**63 + 5) + good_w[8:]
files["bad-header-beyond-file.safetensors"] = struct.pack("<Q", 5000) + good_w[8:]
files["bad-offsets-beyond-file.safetensors"] = safetensors({"w": ("F32", [3, 2], [0, 2**40])}, floats(W))
files["bad-offsets-reversed.safetensors"] = safetensors({"w": ("F32", [3, 2], [24, 0])}, floats(W))
files["bad-absurd-shape.safetensors"] = safetensors({"w": ("F32", [2**31, 2**31], [0, 24])}, floats(W))
files["bad-overflowing-shape.safetensors"] = safetensors({"w": ("F32", [2**62, 2**62, 16], [0, 24])}, floats(W))
files["bad-shape-offsets-disagree.safetensors"] = safetensors({"w": ("F32", [3, 3], [0, 24])}, floats(W))
files["bad-dtype.safetensors"] = safetensors({"w": ("C64", [3, 2], [0, 48])}, floats(W) * 2)
files["bad-dtype-not-string.safetensors"] = safetensors({"w": (7, [3, 2], [0, 24])}, floats(W))
files["bad-json.safetensors"] = safetensors({}, floats(W), header='{"w": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 24]')
files["bad-not-json.safetensors"] = safetensors({}, floats(W), header="\x00\x01garbage" * 3)
files["bad-empty.safetensors"] = b""
files["nan-weights.safetensors"] = safetensors({"w": ("F32", [3, 2], [0, 24])}, floats([0.5, float("nan"), 0.25, 2, 1, -0.5]))
files["nan-infinity.safetensors"] = safetensors({"w": ("F32", [3, 2], [0, 24])}, floats([0.5, -1, float("-inf"), 2, 1, -0.5]))

os.makedirs(OUT, exist_ok=True)
for name in os.listdir(OUT):
    os.remove(os.path.join(OUT, name))
for name, data in sorted(files.items()):
    assert len(data) < 2048, name
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote %d files to %s" % (len(files), OUT))
