import Foundation
import Testing

@testable import Micrograd

/// The public runner: binding by name, state at zeros, typed errors.
struct ProgramRunnerTests {
  let text = """
    micrograd-ir 1
    func @main(%0: f32[2] input "x", %1: f32[2] param "w", %2: f32[2] state "w.buffer") -> (%3 "y") {
      %3 = mul %0, %1 : f32[2]
      %4 = add %2, %0 : f32[2]
      assign %2, %4
      return %3
    }

    """

  @Test func bindsWeightsByNameAndKeepsStateBetweenRuns() throws {
    let runner = try ProgramRunner(program: try Program(parsing: text), weights: ["w": Tensor([2, 3])])
    #expect(runner.zeroInitializedState == ["w.buffer"])
    #expect(runner.inputNames == ["x"])
    #expect(runner.isTraining)
    let y = try runner.run(inputs: ["x": Tensor([1, -1])])
    #expect(y["y"]?.scalars == [2, -3])
    _ = try runner.run(inputs: ["x": Tensor([1, -1])])
    #expect(runner.weights["w.buffer"]?.scalars == [2, -2])
    #expect(runner.weights["w"]?.scalars == [2, 3])
  }

  @Test func namesWhatIsMissingOrMisshapen() throws {
    let program = try Program(parsing: text)
    #expect(throws: ProgramRunnerError.missingWeight(name: "w", role: "parameter")) {
      try ProgramRunner(program: program, weights: [:])
    }
    #expect(throws: ProgramRunnerError.shapeMismatch(name: "w", expected: [2], got: [3])) {
      try ProgramRunner(program: program, weights: ["w": Tensor([1, 2, 3])])
    }
    let runner = try ProgramRunner(program: program, weights: ["w": Tensor([2, 3])])
    #expect(throws: ProgramRunnerError.inputNames(missing: ["x"], unexpected: ["z"])) {
      try runner.run(inputs: ["z": Tensor([1, 2])])
    }
    #expect(throws: ProgramRunnerError.shapeMismatch(name: "x", expected: [2], got: [])) {
      try runner.run(inputs: ["x": Tensor(1)])
    }
  }

  @Test func refusesAnInvalidProgram() throws {
    var program = try Program(parsing: text)
    program.values[3].shape = [3]
    #expect {
      try ProgramRunner(program: program, weights: ["w": Tensor([2, 3])])
    } throws: { error in
      guard case .invalidProgram = error as? ProgramRunnerError else { return false }
      return true
    }
  }
}
