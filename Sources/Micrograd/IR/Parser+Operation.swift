/// The parser's operations: a name, its attributes in brackets, and for the
/// fused kinds the kernel body in braces (see ``Program/spelling(_:)``).
extension ProgramReader {
  static let unaryFunctions: [String: UnaryFunction] = [
    "neg": .negate, "exp": .exp, "log": .log, "tanh": .tanh, "sigmoid": .sigmoid, "relu": .relu,
  ]
  static let binaryFunctions: [String: BinaryFunction] = [
    "add": .add, "sub": .subtract, "mul": .multiply, "div": .divide, "maximum": .maximum, "minimum": .minimum,
    "gt": .greater, "ge": .greaterEqual, "lt": .less, "le": .lessEqual, "eq": .equal, "ne": .notEqual,
  ]
  static let matmulSpellings: [String: (Bool, Bool)] = [
    "matmul": (false, false), "matmul.nt": (false, true), "matmul.tn": (true, false), "matmul.tt": (true, true),
  ]

  /// Any operation.
  mutating func operation() throws(IRParseError) -> Operation {
    let mark = scanner.mark
    guard let name = scanner.identifier() else { throw scanner.expected("an operation") }
    if let operation = try elementwise(name) { return operation }
    if let (transposeA, transposeB) = Self.matmulSpellings[name] {
      guard scanner.take("+") else { return .matmul(transposeA: transposeA, transposeB: transposeB) }
      try scanner.expect("fused{", "'fused{' and an epilogue kernel")
      let (kernel, _) = try kernelBody(reducing: false)
      return .matmulEpilogue(transposeA: transposeA, transposeB: transposeB, kernel)
    }
    switch name {
    case "sgd":
      let plus = scanner.mark
      if scanner.take("+") {
        guard version >= 2 else {
          let wanted =
            "'[' and SGD's hyper-parameters (sgd+matmul needs micrograd-ir 2; this file is version \(version))"
          throw scanner.error(.expected(wanted, found: "'+'"), at: plus)
        }
        guard let product = scanner.identifier(), let (transposeA, transposeB) = Self.matmulSpellings[product] else {
          throw scanner.expected("a matrix product after 'sgd+' (matmul, matmul.nt, matmul.tn or matmul.tt)")
        }
        return .sgdProduct(transposeA: transposeA, transposeB: transposeB)
      }
      try scanner.expect("[", "'[' and SGD's hyper-parameters")
      let momentum = try double(of: "momentum")
      try scanner.expect(",", "',' and dampening=")
      let dampening = try double(of: "dampening")
      try scanner.expect(",", "',' and weight_decay=")
      let weightDecay = try double(of: "weight_decay")
      try scanner.expect(",", "',' and nesterov=")
      try scanner.expect("nesterov=", "'nesterov='")
      let nesterov: Bool
      if scanner.take("true") {
        nesterov = true
      } else {
        try scanner.expect("false", "true or false")
        nesterov = false
      }
      try scanner.expect("]", "']' after nesterov")
      return .optimizerStep(
        .sgd(momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov))
    case "adam", "adamw":
      try scanner.expect("[", "'[' and Adam's hyper-parameters")
      let beta1 = try double(of: "beta1")
      try scanner.expect(",", "',' and beta2=")
      let beta2 = try double(of: "beta2")
      try scanner.expect(",", "',' and eps=")
      let epsilon = try double(of: "eps")
      try scanner.expect(",", "',' and weight_decay=")
      let weightDecay = try double(of: "weight_decay")
      try scanner.expect("]", "']' after weight_decay")
      return .optimizerStep(
        .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: name == "adamw"))
    case "reshape": return .reshape
    case "expand": return .expand
    case "assign": return .assign
    case "sum", "max":
      return .reduce(name == "sum" ? .sum : .max, axes: try attributeList("axes"))
    case "logsumexp": return .logsumexp(axes: try attributeList("axes"))
    case "permute":
      try scanner.expect("[", "'[' and the permutation")
      return .permute(try integers(closingWith: "]"))
    case "slice", "slice_scatter":
      try scanner.expect("[", "'[' and the slice's axis, start and step")
      let axis = try value(of: "axis")
      try scanner.expect(",", "',' and start=")
      let start = try value(of: "start")
      try scanner.expect(",", "',' and step=")
      let step = try value(of: "step")
      try scanner.expect("]", "']' after the step")
      return name == "slice"
        ? .slice(axis: axis, start: start, step: step) : .sliceScatter(axis: axis, start: start, step: step)
    case "concatenate": return .concatenate(axis: try attribute("axis"))
    case "one_hot": return .oneHot(classes: try attribute("classes"))
    case "embedding": return .embedding
    case "embedding_backward": return .embeddingBackward(rows: try attribute("rows"))
    case "custom":
      try scanner.expect("[", "'[' and the custom op's name")
      let nameMark = scanner.mark
      guard let customName = scanner.identifier() else { throw scanner.expected("the custom op's name") }
      guard CustomOpRegistry.type(named: customName) != nil else {
        let message =
          "custom op '\(customName)' is not registered in this process (define its CustomOp subclass and call"
          + " register() before parsing)"
        throw scanner.error(.mismatch(message), at: nameMark)
      }
      try scanner.expect("]", "']' after the custom op's name")
      return .custom(customName)
    case "fused":
      try scanner.expect("{", "'{' and the kernel")
      let (kernel, reduction) = try kernelBody(reducing: true)
      guard let reduction else { return .fused(kernel) }
      return .fusedReduce(kernel, reduction.function, axes: reduction.axes)
    default:
      throw scanner.error(.expected("an operation", found: "'\(name)'"), at: mark)
    }
  }

  /// A unary or binary function or `select`; nil (nothing more consumed)
  /// for other names.
  mutating func elementwise(_ name: String) throws(IRParseError) -> Operation? {
    if let f = Self.unaryFunctions[name] { return .unary(f) }
    if let f = Self.binaryFunctions[name] { return .binary(f) }
    if name == "select" { return .select }
    if name == "pow" {
      try scanner.expect("[", "'[' and the exponent")
      let exponent = try scanner.float("the exponent")
      try scanner.expect("]", "']' after the exponent")
      return .unary(.power(exponent))
    }
    return nil
  }

  /// `[name=3]`.
  mutating func attribute(_ name: String) throws(IRParseError) -> Int {
    try scanner.expect("[", "'[\(name)=…]'")
    let value = try value(of: name)
    try scanner.expect("]", "']' after \(name)")
    return value
  }

  /// `name=0.9`.
  mutating func double(of name: String) throws(IRParseError) -> Double {
    try scanner.expect(name + "=", "'\(name)='")
    return try scanner.double("a number for \(name)")
  }

  /// `name=3`.
  mutating func value(of name: String) throws(IRParseError) -> Int {
    try scanner.expect(name + "=", "'\(name)='")
    return try scanner.integer("an integer for \(name)")
  }

  /// `[name=0,2]`, possibly empty (`[name=]`).
  mutating func attributeList(_ name: String) throws(IRParseError) -> [Int] {
    try scanner.expect("[", "'[\(name)=…]'")
    try scanner.expect(name + "=", "'\(name)='")
    return try integers(closingWith: "]")
  }

  /// Integers separated by commas, up to `closing` (consumed).
  mutating func integers(closingWith closing: String) throws(IRParseError) -> [Int] {
    var numbers: [Int] = []
    while !scanner.take(closing) {
      if !numbers.isEmpty { try scanner.expect(",", "',' or '\(closing)'") }
      numbers.append(try scanner.integer("an integer"))
    }
    return numbers
  }

  /// A kernel body after its `{`, up to and including `}`:
  /// `$2 = add($0, $1); $3 = relu($2) -> $3`, or `inputs=2 -> $1` for a
  /// kernel without steps. With `reducing`, the first result may be a
  /// reduction of a register: `-> sum[axes=0]($3), $2`.
  mutating func kernelBody(reducing: Bool) throws(IRParseError) -> (
    FusedKernel, (function: ReductionFunction, axes: [Int])?
  ) {
    scanner.skipBlanks()
    var inputCount = 0
    var steps: [FusedKernel.Step] = []
    if scanner.take("inputs=") {
      inputCount = try scanner.count("the kernel's input count")
      scanner.skipBlanks()
    } else {
      repeat {
        scanner.skipBlanks()
        let mark = scanner.mark
        let written = try register()
        if steps.isEmpty {
          inputCount = written
        } else if written - steps.count != inputCount {
          // (Subtracting: the sum may overflow after a huge first register.)
          let (next, overflow) = inputCount.addingReportingOverflow(steps.count)
          let wanted = overflow ? "a smaller register" : "$\(next) (steps write registers in order)"
          throw scanner.error(.expected(wanted, found: "'$\(written)'"), at: mark)
        }
        scanner.skipBlanks()
        try scanner.expect("=", "'=' after the register")
        scanner.skipBlanks()
        let operationMark = scanner.mark
        guard let name = scanner.identifier(), let operation = try elementwise(name) else {
          throw scanner.error(
            .expected("an elementwise operation (a kernel holds only those)", found: scanner.found(at: operationMark)),
            at: operationMark)
        }
        try scanner.expect("(", "'(' and the operation's registers")
        scanner.skipBlanks()
        var arguments: [Int] = []
        while !scanner.take(UInt8(ascii: ")")) {
          if !arguments.isEmpty {
            try scanner.expect(",", "',' or ')'")
            scanner.skipBlanks()
          }
          arguments.append(try register())
          scanner.skipBlanks()
        }
        steps.append(FusedKernel.Step(operation, arguments))
        scanner.skipBlanks()
      } while scanner.take(UInt8(ascii: ";"))
    }
    try scanner.expect("->", "';' and another step, or '->' and the results")
    scanner.skipBlanks()
    var outputs: [Int] = []
    var reduction: (function: ReductionFunction, axes: [Int])?
    while !scanner.take(UInt8(ascii: "}")) {
      if !outputs.isEmpty || reduction != nil {
        try scanner.expect(",", "',' or '}'")
        scanner.skipBlanks()
      }
      if reducing && reduction == nil && outputs.isEmpty && (scanner.looksAt("sum[") || scanner.looksAt("max[")) {
        let function: ReductionFunction = scanner.take("sum") ? .sum : (scanner.take("max") ? .max : .sum)
        let axes = try attributeList("axes")
        try scanner.expect("(", "'(' and the reduced register")
        scanner.skipBlanks()
        reduction = (function, axes)
        if scanner.take(UInt8(ascii: ")")) {
          // A kernel without outputs (not a valid one): nothing may follow.
          scanner.skipBlanks()
          try scanner.expect("}", "'}' after a reduction of no register")
          break
        }
        outputs.append(try register())
        scanner.skipBlanks()
        try scanner.expect(")", "')' after the reduced register")
      } else {
        outputs.append(try register())
      }
      scanner.skipBlanks()
    }
    return (FusedKernel(inputCount: inputCount, steps: steps, outputs: outputs), reduction)
  }

  /// `$3`.
  mutating func register() throws(IRParseError) -> Int {
    try scanner.expect("$", "a register like $0")
    return try scanner.count("a register number after '$'")
  }
}
