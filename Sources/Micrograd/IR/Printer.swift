/// The program as text: one instruction per line, every value typed.
///
/// ```
/// micrograd-ir 1
/// func @main(%0: f32[5,4] input "x0", %1: f32[4,3] param "p0") -> (%4 "loss") {
///   ## forward
///   %2 = matmul %0, %1 : f32[5,3]  @ Tests/Trace.swift:12
///   ...
/// }
/// ```
extension Program: CustomStringConvertible {
  /// The IR format's version, written on the first line.
  public static let formatVersion = 1

  public var description: String { text() }

  /// The program as IR text, the function named `name`.
  public func text(name: String = "main") -> String {
    var lines = ["micrograd-ir \(Program.formatVersion)"]
    let signature = values.indices.filter { values[$0].role != .temporary }.map { id -> String in
      let value = values[id]
      var part = "%\(id): \(type(of: id))"
      switch value.role {
      case .input: part += " input"
      case .parameter: part += " param"
      case .state: part += " state"
      case .captured: part += " captured"
      case .constant(let data): part += " const(" + data.map { "\($0)" }.joined(separator: ", ") + ")"
      case .temporary: break
      }
      if !value.name.isEmpty { part += " \"\(value.name)\"" }
      return part
    }
    let results = outputs.map { "%\($0)" + (values[$0].name.isEmpty ? "" : " \"\(values[$0].name)\"") }
    lines.append("func @\(name)(" + signature.joined(separator: ", ") + ") -> (" + results.joined(separator: ", ") + ") {")
    var section: Instruction.Section?
    for instruction in instructions {
      if instruction.section != section {
        section = instruction.section
        lines.append("  ## \(instruction.section.rawValue)")
      }
      lines.append("  " + line(for: instruction))
    }
    lines.append("  return " + outputs.map { "%\($0)" }.joined(separator: ", "))
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// `f32[2,3]` for value `id`.
  func type(of id: ValueID) -> String {
    "f32[" + values[id].shape.dims.map(String.init).joined(separator: ",") + "]"
  }

  private func line(for instruction: Instruction) -> String {
    let arguments = instruction.inputs.map { "%\($0)" }.joined(separator: ", ")
    var text: String
    if instruction.outputs.isEmpty {
      text = "\(Program.spelling(instruction.operation)) \(arguments)"
    } else {
      let results = instruction.outputs.map { "%\($0)" }.joined(separator: ", ")
      text = "\(results) = \(Program.spelling(instruction.operation)) \(arguments)"
      text += " : " + instruction.outputs.map { type(of: $0) }.joined(separator: ", ")
    }
    text += "  @ \(instruction.location)"
    for note in instruction.notes { text += "  # \(note)" }
    return text
  }

  /// An operation with its attributes: `sum[axes=0,2]`, `matmul.tn`.
  static func spelling(_ operation: Operation) -> String {
    switch operation {
    case .unary(.power(let p)): return "pow[\(p)]"
    case .reduce(_, let axes): return operation.name + "[axes=" + axes.map(String.init).joined(separator: ",") + "]"
    case .permute(let axes): return "permute[" + axes.map(String.init).joined(separator: ",") + "]"
    case .matmul(let ta, let tb): return ta || tb ? "matmul.\(ta ? "t" : "n")\(tb ? "t" : "n")" : "matmul"
    case .fused(let kernel): return "fused{" + kernel.body + "}"
    case .slice(let axis, let start, let step), .sliceScatter(let axis, let start, let step):
      return operation.name + "[axis=\(axis),start=\(start),step=\(step)]"
    case .concatenate(let axis): return "concatenate[axis=\(axis)]"
    case .logsumexp(let axes): return "logsumexp[axes=" + axes.map(String.init).joined(separator: ",") + "]"
    case .oneHot(let classes): return "one_hot[classes=\(classes)]"
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
}

extension FusedKernel {
  /// `$2 = add($0, $1); $3 = relu($2) -> $3`.
  var body: String { body(reducingFirst: nil) }

  /// The body, its first result written as the reduction `reducingFirst`
  /// of that register (`-> sum[axes=0]($3), $2`) when given.
  func body(reducingFirst reduction: String?) -> String {
    let steps = steps.enumerated().map { k, step in
      "$\(inputCount + k) = \(Program.spelling(step.operation))(" + step.arguments.map { "$\($0)" }.joined(separator: ", ") + ")"
    }
    let results = outputs.enumerated().map { k, r in
      k == 0 && reduction != nil ? "\(reduction!)($\(r))" : "$\(r)"
    }
    return steps.joined(separator: "; ") + " -> " + results.joined(separator: ", ")
  }
}
