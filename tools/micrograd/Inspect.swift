import ArgumentParser
import Micrograd

/// `micrograd inspect FILE.mgir`: what a program holds, in numbers.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Summarise a program: instructions by operation and section, fused kernels, parameters, memory.")

  @OptionGroup var program: ProgramOptions

  func run() throws {
    let parsed = try program.load()
    print(summary(parsed, file: program.file), terminator: "")
  }
}

/// The text `inspect` prints for a parsed, validated program.
func summary(_ parsed: ParsedProgram, file: String) -> String {
  let program = parsed.program
  var lines = ["program: \(file)"]

  // Values by role.
  let roles: [(String, (Value.Role) -> Bool)] = [
    ("inputs", { $0 == .input }), ("parameters", { $0 == .parameter }), ("state", { $0 == .state }),
    ("captured", { $0 == .captured }), ("constants", { if case .constant = $0 { true } else { false } }),
    ("temporaries", { $0 == .temporary }),
  ]
  let roleCounts = roles.map { "\($0.0) \(program.values(where: $0.1).count)" }
  lines.append("values: \(program.values.count) (\(roleCounts.joined(separator: ", ")))")
  for id in program.values(where: { $0 == .input }) {
    lines.append("  input \(quotedName(program.values[id].name)) \(type(program.values[id].shape))")
  }
  let outputs = program.outputs.map { id in
    "%\(id)" + (program.values[id].name.isEmpty ? "" : " \(quotedName(program.values[id].name))")
      + " \(type(program.values[id].shape))"
  }
  lines.append("outputs: " + (outputs.isEmpty ? "none" : outputs.joined(separator: ", ")))

  // Instructions by operation and section.
  let sections = Instruction.Section.allCases
  var counts: [String: [Instruction.Section: Int]] = [:]
  var order: [String] = []
  for instruction in program.instructions {
    let name = instruction.operation.name
    if counts[name] == nil { order.append(name) }
    counts[name, default: [:]][instruction.section, default: 0] += 1
  }
  let sectionTotals = sections.map { section in program.instructions.filter { $0.section == section }.count }
  lines.append(
    "instructions: \(program.instructions.count) ("
      + zip(sections, sectionTotals).map { "\($0.rawValue) \($1)" }.joined(separator: ", ") + ")")
  let width = max(9, (order.map(\.count).max() ?? 0))
  let header =
    ["operation".padded(width)] + sections.map { $0.rawValue.padded(8, left: true) } + ["total".padded(6, left: true)]
  lines.append("  " + header.joined(separator: " "))
  for name in order.sorted(by: { (total(counts[$0]!), $1) > (total(counts[$1]!), $0) }) {
    let row =
      [name.padded(width)] + sections.map { String(counts[name]![$0] ?? 0).padded(8, left: true) }
      + [String(total(counts[name]!)).padded(6, left: true)]
    lines.append("  " + row.joined(separator: " "))
  }

  // Fused kernels.
  var kernels: [String] = []
  for (index, instruction) in program.instructions.enumerated() {
    let kernel: FusedKernel
    var shape = program.values[instruction.outputs.first ?? 0].shape
    switch instruction.operation {
    case .fused(let k), .matmulEpilogue(_, _, let k): kernel = k
    case .fusedReduce(let k, _, _):
      // The kernel runs over the broadcast of its inputs; its first result is reduced.
      kernel = k
      shape = instruction.inputs.reduce(Shape([])) { Shape.broadcast($0, program.values[$1].shape) ?? $0 }
    default: continue
    }
    let results = instruction.outputs.map { "%\($0)" }.joined(separator: ", ")
    let line = index < parsed.lines.instructions.count ? "line \(parsed.lines.instructions[index]): " : ""
    kernels.append(
      "  \(line)\(results) = \(instruction.operation.name): \(kernel.steps.count) steps, "
        + "\(kernel.inputCount) inputs, \(kernel.outputs.count) outputs, over \(type(shape))")
  }
  lines.append("fused kernels: \(kernels.count)")
  lines += kernels

  // Parameters and state.
  for (title, role) in [("parameters", Value.Role.parameter), ("state", .state), ("captured", .captured)] {
    let ids = program.values(where: { $0 == role })
    let totalCount = ids.reduce(0) { $0 + program.values[$1].shape.count }
    lines.append("\(title): \(ids.count), \(elements(totalCount)) elements")
    guard role != .state || ids.count <= 40 else {
      lines.append("  (\(ids.count) state tensors; not listed)")
      continue
    }
    for id in ids {
      let value = program.values[id]
      lines.append("  \(quotedName(value.name)) \(type(value.shape)) \(elements(value.shape.count))")
    }
  }

  // Memory.
  if let plan = program.memoryPlan {
    let saved = plan.naiveBytes > 0 ? " (\(100 * plan.peakBytes / plan.naiveBytes)% of naive)" : ""
    lines.append(
      "memory: \(plan.bufferSizes.count) buffers, peak \(plan.peakBytes) bytes, naive \(plan.naiveBytes) bytes\(saved)")
  } else {
    lines.append("memory: no plan")
  }
  return lines.joined(separator: "\n") + "\n"
}

private func total(_ counts: [Instruction.Section: Int]) -> Int { counts.values.reduce(0, +) }

/// `f32[16,2]`, as the IR spells a type.
func type(_ shape: Shape) -> String { "f32[" + shape.dims.map(String.init).joined(separator: ",") + "]" }

/// `1234` with no separators: numbers a script can read.
private func elements(_ count: Int) -> String { String(count) }

/// A name as printed: bare when it is plain, else in quotes with escapes.
func quotedName(_ name: String) -> String {
  let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0 != "\"" }
  return plain ? name : "\"" + name.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
}

extension String {
  /// The string padded with spaces to `width` columns (on the left when `left`).
  fileprivate func padded(_ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - count))
    return left ? fill + self : self + fill
  }
}
