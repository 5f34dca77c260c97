// micrograd's demo: a small MLP learns to separate two moons with a max-margin loss.

import Foundation
import Micrograd

let options = Options(Array(CommandLine.arguments.dropFirst()))
let seed: UInt64 = 1  // seeds 0–4 all reach 100% here; 5 stops at 96%
var generator = RandomGenerator(seed: seed)
let moons = Moons(count: 100, noise: 0.1, generator: &generator)
let model = MLP(2, [16, 16, 1], generator: &generator)
let parameters = model.parameters()
let optimizer = SGD(parameters, lr: 1.0)
let (points, labels) = (moons.pointTensor, moons.labelTensor)
let parameterCount = parameters.reduce(0) { $0 + $1.count }
print("moons: \(points.shape[0]) points, MLP(2, [16, 16, 1]) with \(parameterCount) parameters, seed \(seed)")

/// The loss (max-margin plus L2 regularisation) and the accuracy of the model on the moons.
func evaluate(_ model: Module, _ parameters: [Tensor], _ points: Tensor, _ labels: Tensor) -> (Tensor, Float) {
  let scores = model(points).reshape([-1])
  let loss = hingeLoss(scores, labels) + 1e-4 * l2Penalty(parameters)
  let correct = ((scores .> 0) .== (labels .> 0)).sum().item()
  return (loss, correct / Float(labels.count))
}

let progress = Progress(total: options.steps)
let clock = ContinuousClock()
let start = clock.now
for step in 0..<options.steps {
  let (loss, accuracy) = evaluate(model, parameters, points, labels)
  optimizer.zeroGrad()
  loss.backward()
  optimizer.learningRate = 1.0 - 0.9 * Double(step) / Double(options.steps)
  optimizer.step()
  progress.update(step: step, loss: loss.item(), accuracy: accuracy)
}
let elapsed = clock.now - start
progress.finish()

let (loss, accuracy) = noGrad { evaluate(model, parameters, points, labels) }
let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
print("final: loss \(format(loss.item(), 4)), accuracy \(format(accuracy * 100, 0))%")
print(
  "time: \(String(format: "%.1f", milliseconds)) ms for \(options.steps) steps, "
    + "\(String(format: "%.3f", milliseconds / Double(options.steps))) ms per step")

let path = options.outputDirectory + "/boundary.svg"
do {
  try writeAtomically(DecisionBoundary(model: model, moons: moons).svg(), to: path)
  print("wrote \(path)")
} catch {
  FileHandle.standardError.write(Data("moons: cannot write \(path): \(error)\n".utf8))
  exit(1)
}
