import Foundation
import Testing

@testable import Micrograd

/// `checkNumerics` (PyTorch's anomaly detection): the first NaN or infinity
/// stops the run, naming the op or instruction, the IR line and the user's line.
@Suite struct NumericsCheckTests {
  /// The error a compiled call threw, if it was a non-finite value.
  func nonFinite(_ body: () throws -> Void) -> NonFiniteValue? {
    do {
      try body()
    } catch {
      if case .nonFinite(let value) = error as? CompileError { return value }
      Issue.record("expected a non-finite value error, got \(error)")
    }
    return nil
  }

  @Test func aCompiledRunNamesTheInstructionItsIRLineAndTheSourceLine() throws {
    let logLine = #line + 1
    let f = compile { xs in [log(xs[0]) * 2 + 1] }
    let x = Tensor([1, 2, -1, 4])
    // Off, the NaN flows through and nothing is thrown.
    #expect(try f(x)[0].scalars[2].isNaN)
    f.checkNumerics = true
    let error = try #require(nonFinite { _ = try f(x) })
    let program = try f.program(for: [[4]])
    let lines = program.text().split(separator: "\n", omittingEmptySubsequences: false)
    let irLine = try #require(error.irLine)
    #expect(error.instruction == lines[irLine - 1].trimmingPrefix(while: { $0 == " " }).description)
    #expect(error.instruction?.contains("log") == true, "\(error)")
    #expect(error.value == "nan")
    #expect(error.index == "[2]")
    #expect(error.location == SourceLocation(file: #fileID, line: logLine))
    let message = CompileError.nonFinite(error).description
    #expect(message.hasPrefix("\(#fileID):\(logLine): error: checkNumerics: %"), "\(message)")
    #expect(message.contains("IR line \(irLine): "))
    #expect(!message.contains("\n"))
    // Finite inputs pass.
    #expect(try f(Tensor([1, 2, 3, 4]))[0].scalars.allSatisfy(\.isFinite))
  }

  @Test func aScopeTurnsCheckingOnForCompiledFunctions() throws {
    let f = compile { xs in [exp(xs[0])] }
    let big = Tensor([1, 200])
    #expect(try f(big)[0].scalars[1] == .infinity)
    let error = withCheckNumerics { nonFinite { _ = try f(big) } }
    #expect(error?.value == "inf")
    #expect(error?.index == "[1]")
    #expect(try f(big)[0].scalars[1] == .infinity, "the scope ended")
  }

  @Test func anInputHoldingNaNIsNamedBeforeAnythingRuns() throws {
    let f = compile { xs in [xs[0] + xs[1]] }
    f.checkNumerics = true
    let error = try #require(nonFinite { _ = try f(Tensor([1, 2]), Tensor([[0, 1], [.nan, 3]])) })
    #expect(error.valueName.hasPrefix("input %1 \"x1\""), "\(error)")
    #expect(error.index == "[1, 0]")
    #expect(error.instruction == nil)
    #expect(error.description.contains("holds nan at [1, 0] before the program runs"), "\(error)")
  }

  /// Inputs near float32's top give large but finite gradients; a large
  /// learning rate then overflows the update: the optimizer step (an
  /// in-place instruction with no outputs) is the one named.
  @Test func aTrainingStepNamesTheUpdateThatOverflowed() throws {
    var generator = RandomGenerator(seed: 3)
    let model = MLP(2, [4, 1], generator: &generator)
    // A loss that never saturates: its gradient with respect to the scores is 1.
    let step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1)) { x, y in
      (model(x).reshape([-1]) * y).sum()
    }
    step.checkNumerics = true
    let x = Tensor([[1, 2], [-3, 1], [0.5, -1]]) * 1e30
    let y = Tensor([1, -1, 1])
    let error = try #require(nonFinite { try step(x, y, lr: 1e10) })
    #expect(error.instruction?.contains("sgd") == true, "\(error)")
    let program = try step.program(for: [x.shape, y.shape])
    let k = try #require(program.instructionLineNumbers().firstIndex(of: error.irLine!))
    #expect(program.instructions[k].section == .update)
  }

  @Test func printedLineNumbersPointAtTheInstructions() throws {
    let w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
    let f = compileValueAndGrad(withRespectTo: [w]) { xs in relu(matmul(xs[0], w)).sum() }
    let program = try f.program(for: [[2, 2]])
    let lines = program.text().split(separator: "\n", omittingEmptySubsequences: false)
    let numbers = program.instructionLineNumbers()
    #expect(numbers.count == program.instructions.count)
    for (k, number) in numbers.enumerated() {
      let line = lines[number - 1]
      let outputs = program.instructions[k].outputs
      #expect(line.hasPrefix("  " + (outputs.first.map { "%\($0)" } ?? "")), "\(line)")
      #expect(line.contains(Program.spelling(program.instructions[k].operation)))
    }
  }

  @Test func theRunnerNamesTheLineOfTheFileItRead() throws {
    let text = """
      micrograd-ir 1
      func @main(
          %0: f32[3] input "x",
          %1: f32[3] param "w"
      ) -> (%3 "y") {

        # a comment line moves everything below it down
        %2 = mul %0, %1 : f32[3]  @ model.swift:4
        %3 = log %2 : f32[3]  @ model.swift:5
        return %3
      }

      """
    let parsed = try IRParser.parse(text)
    let runner = try ProgramRunner(program: parsed.program, weights: ["w": Tensor([1, -1, 1])], lines: parsed.lines)
    #expect(try runner.run(inputs: ["x": Tensor([1, 2, 3])])["y"]?.scalars[1].isNaN == true)
    runner.checkNumerics = true
    #expect {
      try runner.run(inputs: ["x": Tensor([1, 2, 3])])
    } throws: { error in
      let message = String(describing: error)
      return message.hasPrefix("model.swift:5: error: checkNumerics: %3 holds nan at [1], made by IR line 9: ")
        && message.contains("log %2")
    }
    // NaN weights are named before the program runs.
    let nanWeights = try ProgramRunner(program: parsed.program, weights: ["w": Tensor([1, .infinity, 1])])
    nanWeights.checkNumerics = true
    #expect {
      try nanWeights.run(inputs: ["x": Tensor([1, 2, 3])])
    } throws: { error in
      String(describing: error) == "error: checkNumerics: parameter %1 \"w\" holds inf at [1] before the program runs"
    }
  }

  @Test func eagerOpsStopAtTheFirstNaNWithTheOpAndLine() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, -2, 3])
      withCheckNumerics {
        _ = log(x)
      }
    }
    expectStandardError(
      result,
      contains: [
        "NumericsCheckTests.swift:",
        "error: log: checkNumerics: produced nan at [1] of shape [3] from inputs of shapes [3]",
      ])
  }

  /// sqrt at 0 is fine forward; its backward rule divides by it: the message
  /// names the op whose backward made the infinity and the user's line of that op.
  @Test func eagerBackwardNamesTheOpWhoseRuleMadeIt() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      NumericsCheck.isEnabled = true
      let x = Tensor([0, 4], requiresGrad: true)
      let y = pow(x, 0.5).sum()
      y.backward()
    }
    expectStandardError(
      result, contains: ["NumericsCheckTests.swift:", "checkNumerics: produced inf", "(in the backward of pow)"])
  }

  @Test func eagerOpsWithoutCheckingLetNaNThrough() {
    #expect(log(Tensor([-1])).scalars[0].isNaN)
  }
}
