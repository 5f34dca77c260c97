import Testing

@testable import Micrograd

/// Programming errors stop the process with a message that names the op, the
/// shapes and the user's file:line, checked in a child process (exit tests).
///
/// The failing code sits in helpers outside the `#expect` bodies: code inside
/// an exit test's body is moved into a macro expansion, where `#line` gives
/// the macro's line and a backtrace names a generated file.
@Suite struct ErrorMessageTests {
  static let addLine = #line + 1
  static func addMismatchedShapes() { _ = Tensor.ones([2, 3]) + Tensor.ones([4]) }

  static let mulLine = #line + 1
  static func multiplyMismatchedShapes() { _ = 2 * Tensor.ones([3, 1, 5]) * Tensor.ones([4, 2]) }

  static let matmulLine = #line + 1
  static func matmulMismatchedShapes() { _ = matmul(Tensor.ones([2, 3]), Tensor.ones([4, 5])) }

  static let backwardLine = #line + 3
  static func backwardWithoutSeed() {
    let x = Tensor.ones([2, 3], requiresGrad: true)
    (x * 2).backward()
  }

  static let seedLine = #line + 3
  static func backwardWithMisshapenSeed() {
    let x = Tensor.ones([2, 3], requiresGrad: true)
    (x * 2).backward(Tensor.ones([3, 2]))
  }

  static let noGradLine = #line + 1
  static func backwardWithoutHistory() { Tensor.ones([]).backward() }

  /// The child's standard error as text.
  func standardError(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
  }

  /// Expects `message` to hold `text` right after this file's name and `line`.
  func expectReport(
    _ message: String, line: Int, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(
      message.contains("ErrorMessageTests.swift:\(line): error: \(text)"), "\(message)", sourceLocation: sourceLocation)
  }

  @Test func operatorShapeMismatchNamesOpShapesAndLine() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      ErrorMessageTests.addMismatchedShapes()
    }
    expectReport(standardError(result), line: Self.addLine, "add: shapes [2, 3] and [4] do not broadcast")
  }

  @Test func operatorWithScalarShapeMismatchNamesOpShapesAndLine() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      ErrorMessageTests.multiplyMismatchedShapes()
    }
    expectReport(standardError(result), line: Self.mulLine, "mul: shapes [3, 1, 5] and [4, 2] do not broadcast")
  }

  @Test func namedFunctionShapeMismatchNamesOpShapesAndLine() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      ErrorMessageTests.matmulMismatchedShapes()
    }
    expectReport(
      standardError(result), line: Self.matmulLine, "matmul: inner dimensions 3 and 4 differ: [2, 3] and [4, 5]")
  }

  @Test func backwardOnNonScalarWithoutSeedStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      ErrorMessageTests.backwardWithoutSeed()
    }
    expectReport(
      standardError(result), line: Self.backwardLine,
      "backward: grad can be implicitly created only for one-element outputs; shape is [2, 3]: pass a gradient")
  }

  @Test func backwardWithMisshapenSeedStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      ErrorMessageTests.backwardWithMisshapenSeed()
    }
    expectReport(
      standardError(result), line: Self.seedLine, "backward: gradient of shape [3, 2] for a tensor of shape [2, 3]")
  }

  @Test func backwardWithoutHistoryStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      ErrorMessageTests.backwardWithoutHistory()
    }
    expectReport(
      standardError(result), line: Self.noGradLine, "backward: tensor does not require grad and has no history")
  }
}
