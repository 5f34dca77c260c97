// EurekaLabsAI/micrograd's exercise, reproduced: its xorshift* generator seeded 42, its yin-yang data
// (100 points, 80/10/10), its MLP(2, [8, 3]) with a tanh hidden layer and its initialisation, softmax
// cross-entropy and AdamW, 100 full-batch steps. Prints the same table of losses as its script.

import Foundation
import Micrograd
import SampleSupport

let options = SampleOptions(
  program: "yinyang", options: ["steps", "out"],
  usage: "usage: yinyang [--steps N] [--out DIR]   (defaults: 100 steps, out/yinyang)")
let steps = options.positiveInteger("steps", default: 100)
let outputDirectory = options.values["out"] ?? "out/yinyang"

// The order of the draws is the original's: the data set first, then the weights.
var generator = XorShiftStar(seed: 42)
let data = YinYang(count: 100, smallRadius: 0.1, bigRadius: 0.5, generator: &generator)
let model = TanhMLP(2, [8, 3], generator: &generator)
// micrograd's AdamW and the library's (PyTorch's) are one formula. micrograd: m = β1·m + (1-β1)·g,
// v = β2·v + (1-β2)·g², p -= lr·(m̂/(√v̂ + 1e-8) + λ·p) with m̂ = m/(1-β1^t), v̂ = v/(1-β2^t). The library:
// p *= 1 - lr·λ, then p -= (lr/(1-β1^t))·m/(√v/√(1-β2^t) + eps). Both decay the weight from its value before the
// step, correct both moments' bias and add eps after the square root (micrograd hard-codes 1e-8, our eps here),
// so they differ only in the order of float operations (float32 here, float64 there).
let optimizer = AdamW(model.parameters(), lr: 0.1, betas: (0.9, 0.95), eps: 1e-8, weightDecay: 1e-4)
let (trainPoints, trainLabels) = (data.train.pointTensor, data.train.labelTensor)
let (validationPoints, validationLabels) = (data.validation.pointTensor, data.validation.labelTensor)
let parameterCount = model.parameters().reduce(0) { $0 + $1.count }
print(
  "yinyang: \(data.train.count)/\(data.validation.count)/\(data.test.count) points (train/val/test), "
    + "MLP(2, [8, 3]) with tanh, \(parameterCount) parameters, AdamW, compiled (trace and run)")

let step = try compile(model, optimizer: optimizer) { x, y in crossEntropy(model(x), y) }
let evaluate = compile { xs in
  let logits = model(xs[0])
  // A point is right when the logit of its class is the largest.
  let target = (oneHot(xs[1], classes: 3) * logits).sum(axis: -1)
  return [crossEntropy(logits, xs[1]), (target .== logits.max(axis: -1)).mean()]
}
do {
  try writeProgramFiles(step.program(for: [trainPoints.shape, trainLabels.shape]), to: outputDirectory)
  try model.saveParameters(to: outputDirectory + "/initial.safetensors")
} catch {
  fatal("yinyang: cannot write to \(outputDirectory): \(error)")
}

// The table: the validation loss every 10 steps (6 decimals, as the original prints it), then the train loss of
// every step (before its update) with all its float32 digits, where the original prints all its float64 digits.
let progress = ProgressBar(total: steps, plainInterval: 0)
let clock = ContinuousClock()
let start = clock.now
for k in 0..<steps {
  if k % 10 == 0 {
    let validationLoss = try evaluate(validationPoints, validationLabels)[0].item()
    progress.log("step \(k), val loss \(format(validationLoss, 6))")
  }
  let loss = try step(trainPoints, trainLabels).item()
  progress.log("step \(k), train loss \(loss)")
  progress.update(step: k, "train loss \(format(loss, 6))")
}
let elapsed = clock.now - start
progress.finish()

for (name, split) in [("train", data.train), ("val", data.validation), ("test", data.test)] {
  let results = try evaluate(split.pointTensor, split.labelTensor)
  print("final \(name): loss \(format(results[0].item(), 6)), accuracy \(format(results[1].item() * 100, 0))%")
}
print(String(format: "time: %.1f ms for %d steps", milliseconds(elapsed), steps))
do {
  try model.saveParameters(to: outputDirectory + "/weights.safetensors")
  print("wrote \(outputDirectory)/step.mgir, step.svg, initial.safetensors and weights.safetensors")
} catch {
  fatal("yinyang: cannot write to \(outputDirectory): \(error)")
}
