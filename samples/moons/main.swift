import Micrograd
var g = RandomGenerator(seed: 1)
let w = Tensor.uniform([4, 3], low: -1, high: 1, requiresGrad: true, generator: &g)
let b = Tensor.uniform([3], requiresGrad: true, generator: &g)
let step = compileValueAndGrad(withRespectTo: [w, b], names: ["w", "b"]) { xs in
  (relu(matmul(xs[0], w) + b) * xs[1]).sum()
}
print(try step.program(for: [[5, 4], [5, 3]]))
