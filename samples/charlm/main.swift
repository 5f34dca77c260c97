// Next-character prediction: a makemore-style MLP language model trained on a text file, by default this
// repository's own Swift sources. Prints train/val loss and samples text at the end.

import Foundation
import Micrograd
import MicrogradViz

let options = Options(Array(CommandLine.arguments.dropFirst()))
let files = options.files.isEmpty ? Corpus.repositorySources() : options.files
let corpus: Corpus
do {
  corpus = try Corpus(files: files)
} catch {
  Options.exit("charlm: \(error.message)", status: 1)
}
guard corpus.validation.count > options.context + 1 else {
  Options.exit("charlm: the text is too short for a context of \(options.context) characters", status: 1)
}

var generator = RandomGenerator(seed: options.seed)
let vocabularySize = corpus.vocabulary.count
let model = CharacterModel(
  vocabulary: vocabularySize, context: options.context, embedding: options.embedding, hidden: options.hidden,
  generator: &generator)
let parameterCount = model.parameters().reduce(0) { $0 + $1.count }
let uniformLoss = log(Float(vocabularySize))
print(
  "charlm: \(files.count) file\(files.count == 1 ? "" : "s"), \(corpus.train.count) training and "
    + "\(corpus.validation.count) validation characters, vocabulary \(vocabularySize) "
    + "(uniform loss log V = \(format(uniformLoss)))")
print(
  "model: context \(options.context), embedding \(options.embedding), hidden \(options.hidden), "
    + "\(parameterCount) parameters; AdamW, batch \(options.batch), \(options.steps) steps, seed \(options.seed)")

/// The learning rate of step `k`: 1e-2 falling linearly to 1e-3.
@MainActor func learningRate(_ k: Int) -> Double { 1e-2 - 9e-3 * Double(k) / Double(max(options.steps - 1, 1)) }

let optimizer = AdamW(model.parameters(), lr: learningRate(0), weightDecay: 1e-4)
let step = try compile(model, optimizer: optimizer) { x, y in model.loss(x, y) }

/// Fixed windows of a part of the text (up to 4096 of them, evenly spaced) for measuring its loss.
@MainActor func evaluationSet(_ part: [Float]) -> (contexts: Tensor, targets: Tensor) {
  let available = part.count - options.context
  let count = min(4096, available)
  let starts = (0..<count).map { $0 * available / count }
  return Corpus.windows(part, context: options.context, starts: starts)
}
let trainSet = evaluationSet(corpus.train)
let validationSet = evaluationSet(corpus.validation)
let evaluate = compile { xs in [model.loss(xs[0], xs[1])] }
@MainActor func loss(_ set: (contexts: Tensor, targets: Tensor)) throws -> Float {
  try evaluate(set.contexts, set.targets)[0].item()
}

let clock = ContinuousClock()
let start = clock.now
let reports = 10
for k in 0..<options.steps {
  let (contexts, targets) = Corpus.batch(
    corpus.train, context: options.context, count: options.batch, generator: &generator)
  let batchLoss = try step(contexts, targets, lr: learningRate(k)).item()
  if (k + 1) % max(options.steps / reports, 1) == 0 || k == options.steps - 1 {
    let seconds =
      Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
    print(
      "step \(k + 1)/\(options.steps): batch loss \(format(batchLoss)), val loss \(format(try loss(validationSet))) "
        + "(\(String(format: "%.1f", seconds)) s)")
  }
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
let (trainLoss, validationLoss) = (try loss(trainSet), try loss(validationSet))
print("final: train loss \(format(trainLoss)), val loss \(format(validationLoss)) (uniform \(format(uniformLoss)))")
print(
  "time: \(String(format: "%.1f", seconds)) s for \(options.steps) steps, "
    + "\(String(format: "%.2f", seconds * 1000 / Double(options.steps))) ms per step")

/// `length` characters drawn one at a time from the model's softmax, starting from the validation text's first
/// `context` characters.
@MainActor func sample(length: Int, generator: inout RandomGenerator) -> String {
  var window = Array(corpus.validation[..<options.context])
  var text = String(window.map { corpus.vocabulary[Int($0)] })
  for _ in 0..<length {
    let probabilities = noGrad { softmax(model(Tensor(window, shape: [1, options.context]))) }.scalars
    let draw = generator.uniform()
    var total: Float = 0
    var next = probabilities.count - 1
    for (index, probability) in probabilities.enumerated() {
      total += probability
      if draw < total {
        next = index
        break
      }
    }
    text.append(corpus.vocabulary[next])
    window = Array(window.dropFirst()) + [Float(next)]
  }
  return text
}
var sampler = RandomGenerator(seed: options.seed)
let sampled = sample(length: options.sampleLength, generator: &sampler)
print("sample (seed \(options.seed)):\n" + sampled)

do {
  let directory = options.outputDirectory
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  let program = try step.program(for: [[options.batch, options.context], [options.batch]])
  try writeAtomically(Data(program.text().utf8), to: directory + "/step.mgir")
  try model.saveParameters(to: directory + "/weights.safetensors")
  try writeAtomically(try renderSVG(program), to: directory + "/step.svg")
  try writeAtomically(Data(sampled.utf8), to: directory + "/sample.txt")
  print("wrote \(directory)/step.mgir, weights.safetensors, step.svg, sample.txt")
} catch {
  Options.exit("charlm: cannot write to \(options.outputDirectory): \(error)", status: 1)
}

/// `value` with `digits` decimals.
func format(_ value: Float, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", Double(value)) }
