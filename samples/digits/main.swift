// A real data set: scikit-learn's 8×8 handwritten digits (1,797 images; 1,437 to train on, 360 to test), an MLP
// 64-128-10 trained with minibatches by a compiled training step (Adam, softmax cross-entropy).

import Foundation
import Micrograd
import SampleSupport

let options = SampleOptions(
  program: "digits", options: ["epochs", "lr", "seed", "out", "data"],
  usage: """
    usage: digits [--epochs N] [--lr RATE] [--seed N] [--out DIR] [--data DIR]
      (defaults: 30 epochs, lr 0.003, seed 0, out/digits, the .npy files built into the sample from samples/digits/data)
    """)
let epochs = options.positiveInteger("epochs", default: 30)
let outputDirectory = options.values["out"] ?? "out/digits"
let dataFolder = options.values["data"] ?? Bundle.module.path(forResource: "data", ofType: nil) ?? "samples/digits/data"
let batchSize = 32

let data: Digits
do { data = try Digits(folder: dataFolder) } catch {
  fatal("digits: cannot read the data set in \(dataFolder): \(error)")
}
guard let seed = UInt64(options.values["seed"] ?? "0") else { fatal("digits: --seed needs a whole number") }
// The generator draws the initial weights, then each epoch's shuffle.
var generator = RandomGenerator(seed: seed)
let model = MLP(64, [128, 10], generator: &generator)
guard let learningRate = Double(options.values["lr"] ?? "0.003"), learningRate > 0 else {
  fatal("digits: --lr needs a positive number, not \(options.values["lr"] ?? "")")
}
let optimizer = Adam(model.parameters(), lr: learningRate)
let parameterCount = model.parameters().reduce(0) { $0 + $1.count }
let batchesPerEpoch = data.train.count / batchSize  // the last partial batch of each shuffle is left out
print(
  "digits: \(data.train.count) training and \(data.test.count) test images of 8×8, MLP(64, [128, 10]) with "
    + "\(parameterCount) parameters, Adam, batches of \(batchSize), \(epochs) epochs, compiled (trace and run)")

let step = try compile(model, optimizer: optimizer) { x, y in crossEntropy(model(x), y) }
let evaluate = compile { xs in
  let logits = model(xs[0])
  // An image is right when the logit of its class is the largest.
  let target = (oneHot(xs[1], classes: 10) * logits).sum(axis: -1)
  return [crossEntropy(logits, xs[1]), (target .== logits.max(axis: -1)).mean()]
}
do {
  try writeProgramFiles(step.program(for: [[batchSize, 64], [batchSize]]), to: outputDirectory)
  try model.saveParameters(to: outputDirectory + "/initial.safetensors")
} catch {
  fatal("digits: cannot write to \(outputDirectory): \(error)")
}

let progress = ProgressBar(total: epochs * batchesPerEpoch, plainInterval: batchesPerEpoch)
var order = Array(0..<data.train.count)
let clock = ContinuousClock()
let start = clock.now
for epoch in 0..<epochs {
  // Fisher–Yates with the sample's generator: the same batches on every run.
  for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
  var epochLoss: Float = 0
  for batch in 0..<batchesPerEpoch {
    let (images, labels) = data.train.batch(order[(batch * batchSize)..<((batch + 1) * batchSize)])
    epochLoss += try step(images, labels).item()
    let status = "epoch \(epoch + 1)/\(epochs), mean loss \(format(epochLoss / Float(batch + 1), 4))"
    progress.update(step: epoch * batchesPerEpoch + batch, status)
  }
}
let elapsed = clock.now - start
progress.finish()

for (name, split) in [("train", data.train), ("test", data.test)] {
  let results = try evaluate(split.images, split.labels)
  print("final \(name): loss \(format(results[0].item(), 4)), accuracy \(format(results[1].item() * 100, 2))%")
}
let steps = epochs * batchesPerEpoch
print(
  String(
    format: "time: %.1f ms for %d steps, %.3f ms per step", milliseconds(elapsed), steps,
    milliseconds(elapsed) / Double(steps)))
do {
  try model.saveParameters(to: outputDirectory + "/weights.safetensors")
  print("wrote \(outputDirectory)/step.mgir, step.svg, initial.safetensors and weights.safetensors")
} catch {
  fatal("digits: cannot write to \(outputDirectory): \(error)")
}
