import ArgumentParser
import Foundation
import Micrograd

/// `micrograd run FILE.mgir --weights W.safetensors --input NAME=FILE.npy … --out DIR`:
/// runs a program with the library's interpreter and writes its outputs.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a program on .npy inputs; write its outputs (and trained weights) into a folder.",
    discussion: """
      Inputs are named as in the program's signature (x0, x1, lr, …). A training program's \
      learning rate (its input "lr") comes from --lr or --lr-schedule. Optimizer state missing \
      from the weights starts at zeros. Outputs are written as DIR/NAME.npy; a program that \
      updates weights also writes DIR/weights.safetensors (parameters and optimizer state).
      """)

  @OptionGroup var program: ProgramOptions

  @Option(help: "Parameters, optimizer state and captured tensors by name (.safetensors).")
  var weights: String?

  @Option(name: .customLong("input"), help: "An input: NAME=FILE.npy (repeat for each input).")
  var inputs: [String] = []

  @Option(help: "The folder the outputs are written to (made if missing).")
  var out: String

  @Option(help: "How many times to run the program (training steps).")
  var steps = 1

  @Option(help: "A constant learning rate for the input \"lr\".")
  var lr: Float?

  @Option(help: "A .npy with the learning rate for each step.")
  var lrSchedule: String?

  @Option(help: "The most elements one value, and all values together, may have.")
  var maxElements = 1 << 28

  @Flag(
    inversion: .prefixedNo,
    help: "Stop at the first NaN or infinity in the weights, the inputs or any instruction's result.")
  var checkNumerics = true

  /// The `--input` options as (name, path), in order.
  var namedInputs: [(name: String, path: String)] {
    inputs.map { argument in
      let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
  }

  func validate() throws {
    guard steps >= 1 else { throw ValidationError("--steps needs a positive count, not \(steps)") }
    guard maxElements >= 1 else { throw ValidationError("--max-elements needs a positive count") }
    if lr != nil && lrSchedule != nil { throw ValidationError("give --lr or --lr-schedule, not both") }
    var names = Set<String>()
    for (argument, (name, path)) in zip(inputs, namedInputs) {
      guard argument.contains("="), !name.isEmpty, !path.isEmpty else {
        throw ValidationError("--input needs NAME=FILE.npy, not '\(argument)'")
      }
      guard names.insert(name).inserted else { throw ValidationError("input \(name) is given twice") }
      if name == "lr" && (lr != nil || lrSchedule != nil) {
        throw ValidationError("input lr is given both by --input and by --lr or --lr-schedule")
      }
    }
  }

  func run() throws {
    let parsed = try program.load(
      limits: IRValidationLimits(elementsPerValue: maxElements, totalElements: maxElements, rank: 32))
    var weightTensors: [String: Tensor] = [:]
    if let weights {
      do { weightTensors = try readSafeTensors(weights) } catch { throw ToolFailure(error.description) }
    }
    let runner: ProgramRunner
    do {
      runner = try ProgramRunner(program: parsed.program, weights: weightTensors, lines: parsed.lines)
    } catch {
      throw ToolFailure("\(program.file): \(error.description)")
    }
    runner.checkNumerics = checkNumerics
    var given: [String: Tensor] = [:]
    for (name, path) in namedInputs {
      do { given[name] = try NumPyArray(npyFile: path).tensor } catch { throw ToolFailure(error.description) }
    }
    let rates = try learningRates(takesLearningRate: runner.inputNames.contains("lr"))

    let lossName = lossOutput(runner)
    var outputs: [String: Tensor] = [:]
    for step in 0..<steps {
      var inputs = given
      if let rates { inputs["lr"] = Tensor(rates[step]) }
      do {
        outputs = try runner.run(inputs: inputs)
      } catch {
        throw ToolFailure("\(program.file): step \(step): \(error.description)")
      }
      if step == 0, let name = runner.zeroInitializedState.first {
        let count = runner.zeroInitializedState.count
        standardError(
          "micrograd: note: \(count) optimizer state tensor\(count == 1 ? "" : "s") (\(name)…) started at zeros")
      }
      if steps > 1 || runner.isTraining, let lossName, let loss = outputs[lossName] {
        print("step \(step) \(lossName) \(loss.item().description)")
      }
    }
    try write(outputs, runner: runner)
  }

  /// The learning rate of each step, or nil when the program takes none and none was given.
  func learningRates(takesLearningRate: Bool) throws(ToolFailure) -> [Float]? {
    guard takesLearningRate else {
      if lr != nil || lrSchedule != nil { throw ToolFailure("\(program.file): the program has no input lr") }
      return nil
    }
    if let lr { return Array(repeating: lr, count: steps) }
    if let lrSchedule {
      let schedule: Tensor
      do { schedule = try NumPyArray(npyFile: lrSchedule).tensor } catch { throw ToolFailure(error.description) }
      guard schedule.count >= steps else {
        throw ToolFailure("\(lrSchedule): holds \(schedule.count) learning rates for \(steps) steps")
      }
      return Array(schedule.scalars.prefix(steps))
    }
    if namedInputs.contains(where: { $0.name == "lr" }) { return nil }
    throw ToolFailure("\(program.file): the program takes a learning rate: give --lr or --lr-schedule")
  }

  /// The output printed at each step: "loss", else a lone scalar output.
  func lossOutput(_ runner: ProgramRunner) -> String? {
    let outputs = runner.program.outputs
    if let k = runner.outputNames.firstIndex(of: "loss"), runner.program.values[outputs[k]].shape.count == 1 {
      return "loss"
    }
    if outputs.count == 1 && runner.program.values[outputs[0]].shape.count == 1 { return runner.outputNames[0] }
    return nil
  }

  /// Writes each output as DIR/NAME.npy and, for a training program, DIR/weights.safetensors.
  func write(_ outputs: [String: Tensor], runner: ProgramRunner) throws(ToolFailure) {
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw ToolFailure("cannot make \(out): \(error.localizedDescription)")
    }
    for name in runner.outputNames {
      let path = (out as NSString).appendingPathComponent(fileName(name) + ".npy")
      do { try outputs[name]!.writeNPY(to: path) } catch { throw ToolFailure(error.description) }
      print("wrote \(path)")
    }
    if runner.isTraining {
      let path = (out as NSString).appendingPathComponent("weights.safetensors")
      do { try writeSafeTensors(runner.weights, to: path) } catch { throw ToolFailure(error.description) }
      print("wrote \(path)")
    }
  }
}

/// `name` as a file name: letters, digits, `.`, `-` and `_` kept, anything else `_`.
func fileName(_ name: String) -> String {
  let kept = name.unicodeScalars.map { scalar -> String in
    scalar.isASCII
      && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
      ? String(scalar) : "_"
  }
  let joined = kept.joined()
  return joined.isEmpty || joined.hasPrefix(".") ? "_" + joined : joined
}
