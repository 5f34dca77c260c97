import Testing

@testable import Micrograd

/// Programs that parse but make no sense: the validator names the line (of
/// the instruction or value declaration) and what is wrong.
@Suite struct IRValidationTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var signature: [String]
    var body: [String]
    var results = "%9"
    var trailer: [String] = []
    /// The line the error names, and a fragment of its message.
    var line: Int?
    var message: String
    var testDescription: String { name }

    /// Line 1 the header, 2 `func`, then the signature, `) -> …`, `## forward` and the body.
    /// `%9` stands for the next value number (values are numbered without gaps).
    var text: String {
      let lines =
        ["micrograd-ir 1", "func @main("] + signature.map { "    " + $0 } + [") -> (\(results)) {", "  ## forward"]
        + body.map { "  " + $0 } + ["  return \(results)", "}"] + trailer
      let text = lines.joined(separator: "\n") + "\n"
      let numbers = text.split(separator: "%").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
      return text.replacingOccurrences(of: "%9", with: "%\((numbers.filter { $0 != 9 }.max() ?? -1) + 1)")
    }
  }

  /// Signature lines are 3…; with two of them the body starts on line 7.
  static let x = "%0: f32[2,3] input \"x\","
  static let w = "%1: f32[4,2] param \"w\""

  static let cases: [Case] = [
    Case(
      name: "read before made", signature: [x, w],
      body: ["%2 = neg %3 : f32[2,3]", "%3 = neg %0 : f32[2,3]", "%9 = neg %2 : f32[2,3]"],
      line: 7, message: "reads %3 before instruction 1 (line 8) makes it"),
    Case(
      name: "read but never made", signature: [x, w], body: ["%9 = neg %2 : f32[2,3]", "dropped %2: f32[2,3]"],
      line: 7, message: "reads %2, which no instruction makes"),
    Case(
      name: "matmul inner dimensions", signature: [x, w], body: ["%9 = matmul %0, %1 : f32[2,2]"],
      line: 7, message: "inner dimensions 3 and 4 differ: [2, 3] and [4, 2]"),
    Case(
      name: "matmul result shape", signature: [x, w], body: ["%9 = matmul.tn %0, %0 : f32[2,3]"],
      line: 7,
      message: "instruction 0 (%2 = matmul.tn): the result should be f32[3,3] (the matrix product), not f32[2,3]"),
    Case(
      name: "binary result shape", signature: [x, "%1: f32[3] param \"b\""], body: ["%9 = add %0, %1 : f32[3]"],
      line: 7, message: "the result should be f32[2,3]"),
    Case(
      name: "shapes that do not broadcast", signature: [x, w], body: ["%9 = mul %0, %1 : f32[2,3]"],
      line: 7, message: "f32[2,3], f32[4,2] do not broadcast"),
    Case(
      name: "reduction result", signature: [x, w], body: ["%9 = sum[axes=0] %0 : f32[2]"],
      line: 7, message: "f32[2] is not f32[2,3] reduced over axes [0]"),
    Case(
      name: "unsorted axes", signature: [x, w], body: ["%9 = max[axes=1,0] %0 : f32[]"],
      line: 7, message: "axes [1, 0] are not sorted and distinct"),
    Case(
      name: "axis out of range", signature: [x, w], body: ["%9 = logsumexp[axes=2] %0 : f32[2,3]"],
      line: 7, message: "axis 2 is out of range for shape [2, 3]"),
    Case(
      name: "reshape count", signature: [x, w], body: ["%9 = reshape %0 : f32[5]"],
      line: 7, message: "f32[2,3] cannot be reshaped to f32[5]"),
    Case(
      name: "permutation", signature: [x, w], body: ["%9 = permute[0,0] %0 : f32[2,2]"],
      line: 7, message: "[0, 0] is not a permutation of the axes of f32[2,3]"),
    Case(
      name: "slice leaves the axis", signature: [x, w], body: ["%9 = slice[axis=1,start=1,step=2] %0 : f32[2,2]"],
      line: 7, message: "2 elements from 1 by 2 leave axis 1 of size 3"),
    Case(
      name: "slice with huge step", signature: [x, w],
      body: ["%9 = slice[axis=1,start=1,step=9223372036854775807] %0 : f32[2,3]"],
      line: 7, message: "3 elements from 1 by 9223372036854775807 leave axis 1"),
    Case(
      name: "concatenation sizes", signature: [x, w], body: ["%9 = concatenate[axis=1] %0, %1 : f32[2,5]"],
      line: 7, message: "sizes differ in axis 0, outside the joined axis 1"),
    Case(
      name: "one-hot classes", signature: [x, w], body: ["%9 = one_hot[classes=0] %0 : f32[2,3,0]"],
      line: 7, message: "needs at least one class, got 0"),
    Case(
      name: "input count", signature: [x, w], body: ["%9 = add %0 : f32[2,3]"],
      line: 7, message: "add takes 2 inputs, got 1"),
    Case(
      name: "kernel reads a register not yet written", signature: [x, w],
      body: ["%9 = fused{$1 = add($0, $7) -> $1} %0 : f32[2,3]"],
      line: 7, message: "step $1 reads $7, which is not written before it"),
    Case(
      name: "kernel writes out a register that does not exist", signature: [x, w],
      body: ["%9 = fused{$1 = relu($0) -> $4} %0 : f32[2,3]"],
      line: 7, message: "the kernel writes out $4; it has registers $0 to $1"),
    Case(
      name: "kernel inputs and operands differ", signature: [x, w],
      body: ["%9 = fused{$2 = add($0, $1) -> $2} %0, %0, %0 : f32[2,3]"],
      line: 7, message: "fused takes 2 inputs, got 3"),
    Case(
      name: "kernel step arity", signature: [x, w], body: ["%9 = fused{$1 = select($0, $0) -> $1} %0 : f32[2,3]"],
      line: 7, message: "step $1 = select reads 2 registers, not 3"),
    Case(
      name: "kernel input larger than the kernel", signature: [x, "%1: f32[4,2,3] param \"w\""],
      body: ["%9 = fused{$2 = add($0, $1) -> $2} %0, %1 : f32[2,3]"],
      line: 7, message: "input f32[4,2,3] does not broadcast to the kernel's shape f32[2,3]"),
    Case(
      name: "fused reduction result", signature: [x, w],
      body: ["%9 = fused{$1 = exp($0) -> sum[axes=1]($1)} %0 : f32[3]"],
      line: 7, message: "f32[3] is not the kernel f32[2,3] reduced over axes [1]"),
    Case(
      name: "epilogue product", signature: [x, "%1: f32[3,4] param \"w\""],
      body: ["%9 = matmul+fused{$1 = relu($0) -> $1} %0, %1 : f32[2,3]"],
      line: 7, message: "the result should be f32[2,4] (the matrix product)"),
    Case(
      name: "assign to an input", signature: [x, w], body: ["%9 = neg %0 : f32[2,3]", "assign %0, %9"],
      line: 8, message: "assigns to %0, which is an input, not a parameter or state"),
    Case(
      name: "optimizer state missing", signature: [x, w, "%2: f32[] input \"lr\"", "%3: f32[] state \"w.step\""],
      body: [
        "%9 = neg %1 : f32[4,2]", "sgd[momentum=0.9,dampening=0.0,weight_decay=0.0,nesterov=false] %1, %9, %2, %3",
      ],
      line: 10, message: "sgd takes 5 inputs, got 4"),
    Case(
      name: "optimizer learning rate not a scalar",
      signature: [x, w, "%2: f32[1,8] input \"lr\"", "%3: f32[] state \"w.step\""],
      body: [
        "%9 = neg %1 : f32[4,2]", "sgd[momentum=0.0,dampening=0.0,weight_decay=0.0,nesterov=false] %1, %9, %2, %3",
      ],
      line: 10, message: "the learning rate and step count should be f32[], not f32[1,8] and f32[]"),
    Case(
      name: "optimizer updates an input", signature: [x, w, "%2: f32[] input \"lr\"", "%3: f32[] state \"w.step\""],
      body: [
        "%9 = neg %0 : f32[2,3]", "sgd[momentum=0.0,dampening=0.0,weight_decay=0.0,nesterov=false] %0, %9, %2, %3",
      ],
      line: 10, message: "updates %0, which is an input"),
    Case(
      name: "returned but never made", signature: [x, w], body: ["dropped %9: f32[2,3]"],
      line: 5, message: "outputs: %2 is returned but no instruction makes it"),
    Case(
      name: "a trillion elements", signature: ["%0: f32[1000000,1000000] input \"x\""],
      body: ["%9 = neg %0 : f32[1000000,1000000]"],
      line: 3, message: "f32[1000000,1000000] has more than 2147483648 elements"),
    Case(
      name: "no elements but huge dimensions", signature: ["%0: f32[0,4000000000,4000000000,4000000000] input \"x\""],
      body: ["%9 = neg %0 : f32[0,4000000000,4000000000,4000000000]"],
      line: 3, message: "has more than 2147483648 elements"),
    Case(
      name: "negative dimension", signature: [x, "%1: f32[-1] param \"w\""], body: ["%9 = neg %0 : f32[2,3]"],
      line: 4, message: "dimension -1 of f32[-1] is negative"),
    Case(
      name: "too many dimensions",
      signature: [x, "%1: f32[" + Array(repeating: "1", count: 40).joined(separator: ",") + "] param \"w\""],
      body: ["%9 = neg %0 : f32[2,3]"], line: 4, message: "40 dimensions; at most 32 are allowed"),
    Case(
      name: "constant of the wrong size", signature: [x, "%1: f32[3] const(1.0, 2.0)"],
      body: ["%9 = neg %0 : f32[2,3]"],
      line: 4, message: "a constant of type f32[3] holds 2 elements"),
    Case(
      name: "two live values in one buffer", signature: ["%0: f32[2,3] buf0 input \"x\""],
      body: ["%1 = neg %0 : f32[2,3] buf1", "%2 = exp %0 : f32[2,3] buf1", "%9 = add %1, %2 : f32[2,3] buf0"],
      trailer: ["memory buffers=[6,6] peak=48 naive=96"], line: 7,
      message: "%2: shares buf1 with %1, which is still alive"),
    Case(
      name: "in place where the operation allows it", signature: ["%0: f32[2,3] buf0 input \"x\""],
      body: ["%1 = neg %0 : f32[2,3] buf0", "%9 = matmul.nt %1, %1 : f32[2,2] buf0"],
      trailer: ["memory buffers=[6] peak=24 naive=64"], line: 7, message: "%2: shares buf0 with %1"),
    Case(
      name: "buffer too small", signature: ["%0: f32[2,3] buf0 input \"x\""], body: ["%9 = neg %0 : f32[2,3] buf1"],
      trailer: ["memory buffers=[6,2] peak=32 naive=48"], line: 6, message: "f32[2,3] does not fit buf1 of 2 elements"),
    Case(
      name: "buffer that does not exist", signature: ["%0: f32[2,3] buf0 input \"x\""],
      body: ["%9 = neg %0 : f32[2,3] buf7"],
      trailer: ["memory buffers=[6] peak=24 naive=48"], line: 6, message: "buffer 7 does not exist (the plan has 1)"),
    Case(
      name: "two inputs in one buffer", signature: ["%0: f32[2,3] buf0 input \"x\",", "%1: f32[2,3] buf0 input \"y\""],
      body: ["%9 = add %0, %1 : f32[2,3] buf1"],
      trailer: ["memory buffers=[6,6] peak=48 naive=72"], line: 4, message: "shares buf0 with %0"),
  ]

  @Test(arguments: cases)
  func invalidProgramNamesLineAndProblem(_ c: Case) throws {
    let parsed = try IRParser.parse(c.text)
    #expect(throws: IRValidationError.self) { try validate(parsed.program, lines: parsed.lines) }
    do {
      try validate(parsed.program, lines: parsed.lines)
    } catch {
      #expect(error.line == c.line, "\(error)\n\(numbered(c.text))")
      #expect(error.description.contains(c.message), "\(error)")
    }
  }

  /// In-place results the operations allow pass: an elementwise result
  /// over its input's last use, a reshape over its input.
  @Test func allowedInPlaceSharingPasses() throws {
    let text = Case(
      name: "", signature: ["%0: f32[2,3] buf0 input \"x\""],
      body: ["%1 = neg %0 : f32[2,3] buf0", "%2 = reshape %1 : f32[6] buf0", "%9 = exp %2 : f32[6] buf0"],
      trailer: ["memory buffers=[6] peak=24 naive=96"], message: ""
    ).text
    let parsed = try IRParser.parse(text)
    try validate(parsed.program, lines: parsed.lines)
  }

  /// Programs built in code can hold what text cannot spell: values out of
  /// range, results written to parameters.
  @Test func programsBuiltInCode() {
    let values = [
      Value(shape: [2], role: .input), Value(shape: [2], role: .parameter), Value(shape: [2], role: .temporary),
    ]
    func problem(_ program: Program) -> String {
      do {
        try validate(program)
        return ""
      } catch {
        #expect(error.line == nil)
        return error.description
      }
    }
    let outOfRange = Program(
      values: values, instructions: [Instruction(.unary(.negate), inputs: [5], outputs: [2])], outputs: [2])
    #expect(problem(outOfRange).contains("instruction 0 (%2 = neg): %5 does not exist (the program has 3 values)"))
    let writesParameter = Program(
      values: values, instructions: [Instruction(.unary(.negate), inputs: [0], outputs: [1])])
    #expect(problem(writesParameter).contains("writes %1, which is a parameter, not a temporary"))
    let madeTwice = Program(
      values: values,
      instructions: [
        Instruction(.unary(.negate), inputs: [0], outputs: [2]), Instruction(.unary(.exp), inputs: [0], outputs: [2]),
      ])
    #expect(problem(madeTwice).contains("instruction 1 (%2 = exp): makes %2, already made by instruction 0"))
    let negativeInputs = Program(
      values: values,
      instructions: [
        Instruction(.fused(FusedKernel(inputCount: -1, steps: [], outputs: [0])), inputs: [0], outputs: [2])
      ])
    #expect(problem(negativeInputs).contains("the kernel has -1 inputs"))
    let missingOutput = Program(values: values, instructions: [], outputs: [7])
    #expect(problem(missingOutput).contains("outputs: %7 does not exist"))
    var shortPlan = Program(values: values, instructions: [Instruction(.unary(.negate), inputs: [0], outputs: [2])])
    shortPlan.memoryPlan = MemoryPlan(buffer: [0], bufferSizes: [2], peakBytes: 8, naiveBytes: 8)
    #expect(problem(shortPlan).contains("memory plan: places 1 values; the program has 3"))
  }

  /// Every program the compiler makes is valid.
  @Test func compiledProgramsValidate() throws {
    var generator = RandomGenerator(seed: 8)
    let model = MLP(2, [8, 8, 1], generator: &generator)
    let step = try compile(model, optimizer: Adam(model.parameters(), lr: 0.01)) { x, y in mseLoss(model(x), y) }
    try validate(try step.program(for: [[16, 2], [16, 1]]))
  }

  /// The limits are the caller's to choose.
  @Test func limitsAreConfigurable() throws {
    let program = Program(values: [Value(shape: [10, 10], role: .input)], instructions: [], outputs: [0])
    try validate(program)
    #expect(throws: IRValidationError.self) { try validate(program, limits: IRValidationLimits(elementsPerValue: 99)) }
    #expect(throws: IRValidationError.self) { try validate(program, limits: IRValidationLimits(totalElements: 50)) }
    #expect(throws: IRValidationError.self) { try validate(program, limits: IRValidationLimits(rank: 1)) }
  }
}
