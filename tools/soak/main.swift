// micrograd-soak: the long runs the test suite cannot afford, run by `make soak`.
//
//   moons     10,000 compiled moons training steps; resident memory after
//             warm-up must grow by less than 1 MiB.
//   eager     a 1,000,000-node eager graph built, run, backpropagated and freed.
//   compiled  a compiled value-and-grad program of 100,000+ instructions
//             traced, compiled, run and freed.
//   program   a 100,000-instruction program made directly: printed, parsed,
//             validated, run by the interpreter and freed.
//
// Each part prints one line of figures; any failure exits 1.
// `micrograd-soak [moons|eager|compiled ...] [--steps N] [--nodes N] [--depth N]`

import Foundation
import Micrograd
import SampleData

/// The process's resident memory in bytes (`/proc/self/statm`).
@MainActor func residentBytes() -> Int {
  let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
  return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(getpagesize())
}

@MainActor func mebibytes(_ bytes: Int) -> String { String(format: "%.2f MiB", Double(bytes) / 1_048_576) }

@MainActor func seconds(since start: Date) -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, default value: Int) -> Int {
  guard let k = arguments.firstIndex(of: name), k + 1 < arguments.count, let number = Int(arguments[k + 1]) else {
    return value
  }
  arguments.removeSubrange(k...(k + 1))
  return number
}
let steps = option("--steps", default: 10_000)
let nodes = option("--nodes", default: 1_000_000)
let depth = option("--depth", default: 34_000)
let parts = arguments.isEmpty ? ["moons", "eager", "program", "compiled"] : arguments
var failures: [String] = []

/// 10,000 compiled moons steps: the interpreter allocates nothing but the returned loss.
@MainActor func soakMoons() throws {
  let start = Date()
  var generator = RandomGenerator(seed: 1)
  let moons = Moons(count: 100, noise: 0.1, generator: &generator)
  let model = MLP(2, [16, 16, 1], generator: &generator)
  let parameters = model.parameters()
  let step = try compile(model, optimizer: SGD(parameters, lr: 1.0)) { x, y in
    hingeLoss(model(x).reshape([-1]), y) + 1e-4 * l2Penalty(parameters)
  }
  let (points, labels) = (moons.pointTensor, moons.labelTensor)
  let warmUp = min(1_000, steps / 10)
  var loss: Float = 0
  var sampled: [Int] = []
  for k in 0..<steps {
    loss = try step(points, labels, lr: 1.0 - 0.9 * Double(k) / Double(steps)).item()
    if k + 1 == warmUp || (k + 1 > warmUp && (k + 1) % 500 == 0) { sampled.append(residentBytes()) }
  }
  let growth = sampled.last! - sampled.first!
  let peakGrowth = sampled.max()! - sampled.first!
  print(
    "moons: \(steps) compiled steps in \(seconds(since: start)), final loss \(loss); resident after "
      + "\(warmUp) warm-up steps \(mebibytes(sampled.first!)), at the end \(mebibytes(sampled.last!)): growth "
      + "\(mebibytes(growth)) (largest \(mebibytes(peakGrowth)) over \(sampled.count) samples)")
  if growth >= 1 << 20 { failures.append("moons: resident memory grew by \(mebibytes(growth))") }
  if !loss.isFinite { failures.append("moons: loss \(loss)") }
}

/// A chain of `nodes` multiplications: built, run, backpropagated and freed without recursion.
@MainActor func soakEager() {
  let start = Date()
  let before = residentBytes()
  let factor: Float = 1.000_000_1
  let x = Tensor([0.5, -2], requiresGrad: true)
  let constant = Tensor(factor)
  var peak = 0
  do {
    var y = x * constant
    for _ in 1..<nodes { y = y * constant }
    y.sum().backward()
    peak = residentBytes()
  }
  let after = residentBytes()
  var power: Float = 1
  for _ in 0..<nodes { power *= factor }
  let gradient = x.grad?.scalars ?? []
  print(
    "eager: \(nodes) nodes built, run, backpropagated and freed in \(seconds(since: start)); resident "
      + "\(mebibytes(before)) before, \(mebibytes(peak)) with the graph, \(mebibytes(after)) after")
  if gradient != [power, power] { failures.append("eager: gradient \(gradient), expected \(power)") }
}

/// A value-and-grad program of a `depth`-long chain of 2×2 matmuls by one
/// parameter (a rotation, so values stay bounded): about three instructions a link.
@MainActor func soakCompiled() throws {
  let start = Date()
  let before = residentBytes()
  let w = Tensor([[0.6, 0.8], [-0.8, 0.6]], requiresGrad: true)
  let x = Tensor([[1, 2], [3, 4]])
  var instructions = 0
  var results: [Tensor] = []
  var timing = ""
  do {
    let f = compileValueAndGrad(withRespectTo: [w]) { xs in
      var y = xs[0]
      for _ in 0..<depth { y = matmul(y, w) }
      return y.sum()
    }
    let program = try f.program(for: [x.shape])
    instructions = program.instructions.count
    timing = "traced and compiled in \(seconds(since: start))"
    let run = Date()
    results = try f(x)
    timing += ", run in \(seconds(since: run))"
  }
  var y = x
  for _ in 0..<depth { y = matmul(y, w) }
  let eager = y.sum().item()
  let loss = results.first?.item() ?? .nan
  print(
    "compiled: \(instructions) instructions (depth \(depth)) \(timing); loss \(loss), eager \(eager); "
      + "resident \(mebibytes(before)) before, \(mebibytes(residentBytes())) after freeing")
  if instructions < 100_000 && depth >= 34_000 { failures.append("compiled: only \(instructions) instructions") }
  if !(abs(loss - eager) <= 1e-3 * max(1, abs(eager))) { failures.append("compiled: loss \(loss), eager \(eager)") }
  if results.count != 2 || !results[1].scalars.allSatisfy(\.isFinite) { failures.append("compiled: bad gradient") }
}

/// A program of `count` instructions made directly (no tracing): printed,
/// parsed back, validated, run by the interpreter and freed. Each step is
/// `y = y * w + b`-like: a multiply and an add by the two parameters.
@MainActor func soakProgram(count: Int) throws {
  let start = Date()
  var values = [
    Value(shape: [4], role: .input, name: "x"), Value(shape: [4], role: .parameter, name: "w"),
    Value(shape: [4], role: .parameter, name: "b"),
  ]
  var instructions: [Instruction] = []
  var last: ValueID = 0
  for k in 0..<count {
    values.append(Value(shape: [4], role: .temporary))
    let operation: Micrograd.Operation = k % 2 == 0 ? .binary(.multiply) : .binary(.add)
    instructions.append(Instruction(operation, inputs: [last, k % 2 == 0 ? 1 : 2], outputs: [values.count - 1]))
    last = values.count - 1
  }
  let program = Program(values: values, instructions: instructions, outputs: [last])
  let text = program.text()
  let parsed = try Program(parsing: text)
  let runner = try ProgramRunner(
    program: parsed, weights: ["w": Tensor([1, 1, 1, 1]), "b": Tensor([0.5, -0.25, 1, 0])])
  let y = try runner.run(inputs: ["x": Tensor([1, 2, 3, 4])])["output0"]?.scalars ?? []
  let expected: [Float] = [1, 2, 3, 4].enumerated().map { k, x in
    var value = Float(x)
    for step in 0..<count { value = step % 2 == 0 ? value * 1 : value + [0.5, -0.25, 1, 0][k] }
    return value
  }
  print(
    "program: \(count) instructions made, printed (\(text.utf8.count / 1024) KiB), parsed, validated, run and "
      + "freed in \(seconds(since: start)); resident \(mebibytes(residentBytes()))")
  if parsed != program { failures.append("program: the text did not parse back to the same program") }
  if y != expected { failures.append("program: \(y), expected \(expected)") }
}

for part in parts {
  do {
    switch part {
    case "moons": try soakMoons()
    case "eager": soakEager()
    case "compiled": try soakCompiled()
    case "program": try soakProgram(count: 100_000)
    default: failures.append("unknown part \(part); the parts are moons, eager, compiled, program")
    }
  } catch {
    failures.append("\(part): \(error)")
  }
}
for failure in failures { FileHandle.standardError.write(Data("micrograd-soak: \(failure)\n".utf8)) }
exit(failures.isEmpty ? 0 : 1)
