import Foundation

/// The program as text: one instruction per line, every value typed, and
/// everything else a ``Program`` holds, so that the text parses back to the
/// same program (see ``IRParser`` and docs/IR.md for the grammar).
///
/// ```
/// micrograd-ir 1
/// func @main(
///     %0: f32[5,4] input "x0",
///     %1: f32[4,3] param "p0"
/// ) -> (%2 "loss") {
///   ## forward
///   %2 = matmul %0, %1 : f32[5,3]  @ Tests/Trace.swift:12  # no epilogue: %2 is a program output
///   return %2
/// }
/// ```
extension Program: CustomStringConvertible {
  /// The newest IR format version, which this build reads along with every
  /// older one (see ``oldestFormatVersion``).
  ///
  /// Version 2 added `sgd+matmul`. A program is written with the oldest
  /// version that has everything it uses (``requiredFormatVersion``), so
  /// programs without the newer operations still read in builds that know
  /// only version 1.
  public static let formatVersion = 2

  /// The oldest IR format version this build reads.
  public static let oldestFormatVersion = 1

  /// The format version written on this program's first line: the oldest
  /// that has every operation it uses.
  public var requiredFormatVersion: Int {
    instructions.contains { if case .sgdProduct = $0.operation { true } else { false } } ? 2 : 1
  }

  public var description: String { text() }

  /// The program as IR text, the function named `name`.
  public func text(name: String = "main") -> String {
    render(name: name).text
  }

  /// The line (counted from 1) each instruction is printed on in ``text(name:)``.
  func instructionLineNumbers(name: String = "main") -> [Int] {
    render(name: name).instructionLines
  }

  /// The text, and the line of each instruction in it.
  private func render(name: String) -> (text: String, instructionLines: [Int]) {
    var lines = ["micrograd-ir \(requiredFormatVersion)"]
    var instructionLines: [Int] = []
    let made = Set(instructions.flatMap(\.outputs))
    let isOutput = Set(outputs)
    let signature = values.indices.filter { values[$0].role != .temporary }.map { id in
      "    %\(id): " + typeAndBuffer(id) + " " + roleSpelling(values[id]) + nameSuffix(id)
    }
    let function = "func @" + (IRSpelling.isIdentifier(name) ? name : IRSpelling.quoted(name))
    let results = outputs.map { id in "%\(id)" + nameSuffix(id) }.joined(separator: ", ")
    if signature.isEmpty {
      lines.append(function + "() -> (" + results + ") {")
    } else {
      lines.append(function + "(")
      lines.append(signature.joined(separator: ",\n"))
      lines.append(") -> (" + results + ") {")
    }
    var section: Instruction.Section?
    for instruction in instructions {
      if instruction.section != section {
        section = instruction.section
        lines.append("  ## \(instruction.section.rawValue)")
      }
      lines.append("  " + line(for: instruction, isOutput: isOutput))
      instructionLines.append(lines.count + max(signature.count - 1, 0))
    }
    let dropped = values.indices.filter { values[$0].role == .temporary && !made.contains($0) }
    for start in stride(from: 0, to: dropped.count, by: 8) {
      let declarations = dropped[start..<min(start + 8, dropped.count)].map { id in
        "%\(id): " + typeAndBuffer(id) + (isOutput.contains(id) ? "" : nameSuffix(id))
      }
      lines.append("  dropped " + declarations.joined(separator: ", "))
    }
    lines.append("  return" + (outputs.isEmpty ? "" : " ") + outputs.map { "%\($0)" }.joined(separator: ", "))
    lines.append("}")
    if let plan = memoryPlan {
      lines.append(
        "memory buffers=[" + plan.bufferSizes.map(String.init).joined(separator: ",") + "] peak=\(plan.peakBytes)"
          + " naive=\(plan.naiveBytes)")
      lines.append(
        "# buffers: \(plan.bufferSizes.count), peak \(Program.kibibytes(plan.peakBytes))"
          + " (naive \(Program.kibibytes(plan.naiveBytes)))")
    }
    return (lines.joined(separator: "\n") + "\n", instructionLines)
  }

  /// `f32[2,3]` for value `id`.
  func type(of id: ValueID) -> String {
    guard values.indices.contains(id) else { return "f32[?]" }
    return "f32[" + values[id].shape.dims.map(String.init).joined(separator: ",") + "]"
  }

  /// `f32[2,3]`, then ` buf3` when the memory plan puts the value in a buffer.
  private func typeAndBuffer(_ id: ValueID) -> String {
    guard let plan = memoryPlan, plan.buffer.indices.contains(id), let buffer = plan.buffer[id] else {
      return type(of: id)
    }
    return type(of: id) + " buf\(buffer)"
  }

  /// ` "name"`, or nothing for an unnamed value.
  private func nameSuffix(_ id: ValueID) -> String {
    guard values.indices.contains(id), !values[id].name.isEmpty else { return "" }
    return " " + IRSpelling.quoted(values[id].name)
  }

  private func roleSpelling(_ value: Value) -> String {
    switch value.role {
    case .input: "input"
    case .parameter: "param"
    case .state: "state"
    case .captured: "captured"
    case .constant(let data): "const(" + data.map(IRSpelling.float).joined(separator: ", ") + ")"
    case .temporary: "temporary"
    }
  }

  /// `%3, %4 = op %1, %2 : f32[2], f32[2]  @ file:line  # note`. A result
  /// that is not a program output carries its name after its type. Without
  /// `notes`, the line ends at the location.
  func line(for instruction: Instruction, isOutput: Set<ValueID>, notes: Bool = true) -> String {
    var text = ""
    if !instruction.outputs.isEmpty {
      text += instruction.outputs.map { "%\($0)" }.joined(separator: ", ") + " = "
    }
    text += Program.spelling(instruction.operation)
    if !instruction.inputs.isEmpty {
      text += " " + instruction.inputs.map { "%\($0)" }.joined(separator: ", ")
    }
    if !instruction.outputs.isEmpty {
      let types = instruction.outputs.map { id in typeAndBuffer(id) + (isOutput.contains(id) ? "" : nameSuffix(id)) }
      text += " : " + types.joined(separator: ", ")
    }
    text += "  @ " + IRSpelling.location(instruction.location)
    if notes { for note in instruction.notes { text += "  # " + IRSpelling.note(note) } }
    return text
  }

  /// Bytes as KiB with one decimal: `41.3 KiB`.
  static func kibibytes(_ bytes: Int) -> String {
    String(format: "%.1f KiB", Double(bytes) / 1024)
  }

  /// An operation with its attributes: `sum[axes=0,2]`, `matmul.tn`,
  /// `fused{$2 = add($0, $1) -> $2}`.
  static func spelling(_ operation: Operation) -> String {
    switch operation {
    case .unary(.power(let p)): return "pow[" + IRSpelling.float(p) + "]"
    case .reduce(_, let axes): return operation.name + "[axes=" + list(axes) + "]"
    case .permute(let axes): return "permute[" + list(axes) + "]"
    case .matmul(let ta, let tb): return ta || tb ? "matmul.\(ta ? "t" : "n")\(tb ? "t" : "n")" : "matmul"
    case .fused(let kernel): return "fused{" + kernel.body + "}"
    case .slice(let axis, let start, let step), .sliceScatter(let axis, let start, let step):
      return operation.name + "[axis=\(axis),start=\(start),step=\(step)]"
    case .concatenate(let axis): return "concatenate[axis=\(axis)]"
    case .logsumexp(let axes): return "logsumexp[axes=" + list(axes) + "]"
    case .oneHot(let classes): return "one_hot[classes=\(classes)]"
    case .embeddingBackward(let rows): return "embedding_backward[rows=\(rows)]"
    case .custom(let name): return "custom[" + name + "]"
    case .sgdProduct(let ta, let tb):
      return "sgd+" + spelling(.matmul(transposeA: ta, transposeB: tb))
    case .optimizerStep(let rule):
      switch rule {
      case .sgd(let momentum, let dampening, let weightDecay, let nesterov):
        return "sgd[momentum=\(momentum),dampening=\(dampening),weight_decay=\(weightDecay),nesterov=\(nesterov)]"
      case .adam(let beta1, let beta2, let epsilon, let weightDecay, _):
        return rule.name + "[beta1=\(beta1),beta2=\(beta2),eps=\(epsilon),weight_decay=\(weightDecay)]"
      }
    case .fusedReduce(let kernel, let f, let axes):
      // The reduction shows in the result list: `-> sum[axes=0]($3), $2`.
      return "fused{" + kernel.body(reducingFirst: spelling(.reduce(f, axes: axes))) + "}"
    case .matmulEpilogue(let ta, let tb, let kernel):
      // Register $0 is the product; $1… are the inputs after the two matrices.
      return spelling(.matmul(transposeA: ta, transposeB: tb)) + "+fused{" + kernel.body + "}"
    default: return operation.name
    }
  }

  /// `0,2`.
  private static func list(_ numbers: [Int]) -> String {
    numbers.map(String.init).joined(separator: ",")
  }
}

extension FusedKernel {
  /// `$2 = add($0, $1); $3 = relu($2) -> $3`.
  var body: String { body(reducingFirst: nil) }

  /// The body, its first result written as the reduction `reducingFirst`
  /// of that register (`-> sum[axes=0]($3), $2`) when given.
  ///
  /// A kernel without steps says how many inputs it has:
  /// `inputs=2 -> $1`.
  func body(reducingFirst reduction: String?) -> String {
    let steps = steps.enumerated().map { k, step in
      "$\(inputCount + k) = \(Program.spelling(step.operation))("
        + step.arguments.map { "$\($0)" }.joined(separator: ", ") + ")"
    }
    var results = outputs.map { "$\($0)" }
    if let reduction {
      if results.isEmpty {
        results = [reduction + "()"]
      } else {
        results[0] = reduction + "(" + results[0] + ")"
      }
    }
    let head = steps.isEmpty ? "inputs=\(inputCount)" : steps.joined(separator: "; ")
    return head + " ->" + (results.isEmpty ? "" : " " + results.joined(separator: ", "))
  }
}
