// micrograd's demo: a small MLP learns to separate two moons with a max-margin loss.

import Foundation
import Micrograd
import SampleData
import SampleSupport

let options = Options(Array(CommandLine.arguments.dropFirst()))
let seed: UInt64 = 1  // seeds 0–4 all reach 100% here; 5 stops at 96%
var generator = RandomGenerator(seed: seed)
let moons = Moons(count: 100, noise: 0.1, generator: &generator)
let model = MLP(2, [16, 16, 1], generator: &generator)
let parameters = model.parameters()
let optimizer = SGD(parameters, lr: 1.0)
let (points, labels) = (moons.pointTensor, moons.labelTensor)
let parameterCount = parameters.reduce(0) { $0 + $1.count }
let mode = options.eager ? "eager" : "compiled (trace and run)"
print("moons: \(points.shape[0]) points, MLP(2, [16, 16, 1]) with \(parameterCount) parameters, seed \(seed), \(mode)")

/// micrograd's loss: max-margin on the scores plus L2 regularisation.
@MainActor func loss(_ scores: Tensor, _ labels: Tensor) -> Tensor {
  hingeLoss(scores, labels) + 1e-4 * l2Penalty(parameters)
}

/// The fraction of points on the right side of the boundary.
func accuracy(_ scores: Tensor, _ labels: Tensor) -> Float {
  ((scores .> 0) .== (labels .> 0)).sum().item() / Float(labels.count)
}

/// One training step at learning rate `lr`; returns the loss and accuracy before the update.
let trainingStep: (Double) throws -> (Float, Float)
/// The files that let `micrograd run` replay the training: the data, the weights before training and,
/// compiled, the step's program.
var replayFiles: [(name: String, write: (String) throws -> Void)] = [
  ("x0.npy", { try points.writeNPY(to: $0) }), ("x1.npy", { try labels.writeNPY(to: $0) }),
]
if options.eager {
  trainingStep = { lr in
    let scores = model(points).reshape([-1])
    let value = loss(scores, labels)
    optimizer.zeroGrad()
    value.backward()
    optimizer.learningRate = lr
    optimizer.step()
    return (value.item(), accuracy(scores, labels))
  }
} else {
  let step = try compile(model, optimizer: optimizer) { x, y in loss(model(x).reshape([-1]), y) }
  let predict = compile { xs in [model(xs[0]).reshape([-1])] }
  let program = try step.program(for: [points.shape, labels.shape])
  // The step's program beside its picture: step.mgir and step.svg.
  replayFiles.append(("step.mgir", { try writeProgramFiles(program, to: ($0 as NSString).deletingLastPathComponent) }))
  trainingStep = { lr in
    let scores = try predict(points)[0]
    return (try step(points, labels, lr: lr).item(), accuracy(scores, labels))
  }
}

do {
  try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
  try model.saveParameters(to: options.outputDirectory + "/initial.safetensors")
  for (name, write) in replayFiles { try write(options.outputDirectory + "/" + name) }
} catch {
  FileHandle.standardError.write(Data("moons: cannot write to \(options.outputDirectory): \(error)\n".utf8))
  exit(1)
}

// A line per step without a terminal: the tests compare whole loss curves.
let progress = ProgressBar(total: options.steps, plainInterval: 1)
let learningRates = (0..<options.steps).map { 1.0 - 0.9 * Double($0) / Double(options.steps) }
let clock = ContinuousClock()
let start = clock.now
for step in 0..<options.steps {
  let (loss, accuracy) = try trainingStep(learningRates[step])
  let lossText = options.exactLosses ? loss.description : format(loss, 4)
  progress.update(step: step, "loss \(lossText), accuracy \(format(accuracy * 100, 0))%")
}
let elapsed = clock.now - start
progress.finish()

let (finalLoss, finalAccuracy) = noGrad {
  let scores = model(points).reshape([-1])
  return (loss(scores, labels).item(), accuracy(scores, labels))
}
let elapsedMilliseconds = milliseconds(elapsed)
print("final: loss \(format(finalLoss, 4)), accuracy \(format(finalAccuracy * 100, 0))%")
print(
  "time: \(String(format: "%.1f", elapsedMilliseconds)) ms for \(options.steps) steps, "
    + "\(String(format: "%.3f", elapsedMilliseconds / Double(options.steps))) ms per step")

let path = options.outputDirectory + "/boundary.svg"
do {
  try writeAtomically(DecisionBoundary(model: model, moons: moons).svg(), to: path)
  try model.saveParameters(to: options.outputDirectory + "/weights.safetensors")
  // The learning rate of each step as the step used it: float32.
  try Tensor(learningRates.map { Float($0) }).writeNPY(to: options.outputDirectory + "/lr.npy")
  let picture = options.eager ? "" : ", step.svg"
  print(
    "wrote \(path)\(picture) and the replay files (\(replayFiles.map(\.name).joined(separator: ", ")), ", terminator: ""
  )
  print("initial.safetensors, weights.safetensors, lr.npy)")
} catch {
  FileHandle.standardError.write(Data("moons: cannot write to \(options.outputDirectory): \(error)\n".utf8))
  exit(1)
}
