import Foundation
import Testing

@testable import Micrograd

/// Holds non-Sendable values for a test that hands them to other threads;
/// what each thread touches is the point of the test (run under
/// ThreadSanitizer: `swift test --sanitize=thread --filter Concurrency`).
private final class Shared<Value>: @unchecked Sendable {
  var value: Value
  init(_ value: Value) { self.value = value }
}

/// Runs `body(0)` and `body(1)` on two threads at once and waits for both.
private func onTwoThreads(_ body: @escaping @Sendable (Int) -> Void) {
  let group = DispatchGroup()
  for k in 0..<2 {
    group.enter()
    Thread {
      body(k)
      group.leave()
    }.start()
  }
  group.wait()
}

/// Compiled programs on several threads: different programs run side by
/// side; one program called from two threads at once takes turns.
@Suite struct ConcurrencyTests {
  /// A model, its compiled training step and a batch.
  struct Training {
    let model: MLP
    let step: TrainingStep
    let x: Tensor
    let y: Tensor

    init(seed: UInt64) throws {
      var generator = RandomGenerator(seed: seed)
      let model = MLP(2, [16, 16, 1], generator: &generator)
      self.model = model
      step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.05, momentum: 0.9)) { x, y in
        hingeLoss(model(x).reshape([-1]), y)
      }
      x = Tensor.uniform([32, 2], low: -1, high: 1, generator: &generator)
      y = select(Tensor.uniform([32], low: -1, high: 1, generator: &generator) .> 0, Tensor(1), Tensor(-1))
    }

    /// Runs `count` steps; returns the losses.
    func train(_ count: Int) throws -> [Float] {
      try (0..<count).map { _ in try step(x, y).item() }
    }

    var weights: [[Float]] { model.parameters().map(\.scalars) }
  }

  @Test func twoProgramsOnTwoThreadsMatchRunningThemInTurn() throws {
    let steps = 200
    let sequential = [try Training(seed: 1), try Training(seed: 2)]
    let expected = try sequential.map { try $0.train(steps) }

    // One box per thread: the threads share nothing but what is under test.
    let parallel = [Shared(try Training(seed: 1)), Shared(try Training(seed: 2))]
    let losses = [Shared([Float]()), Shared([Float]())]
    let failures = [Shared(""), Shared("")]
    onTwoThreads { k in
      do {
        losses[k].value = try parallel[k].value.train(steps)
      } catch {
        failures[k].value = "\(error)"
      }
    }
    #expect(failures.map(\.value) == ["", ""])
    #expect(losses.map(\.value) == expected, "losses bit for bit")
    #expect(parallel.map(\.value.weights) == sequential.map(\.weights), "weights bit for bit")
  }

  /// Every step is the same function of the weights, so however the two
  /// threads' calls interleave, 2n serialised steps leave the weights of 2n
  /// steps in a row; a race would corrupt them.
  @Test func oneTrainingStepFromTwoThreadsTakesTurns() throws {
    let steps = 150
    let reference = try Training(seed: 5)
    _ = try reference.train(2 * steps)

    let shared = Shared(try Training(seed: 5))
    let failures = [Shared(""), Shared("")]
    onTwoThreads { k in
      do {
        _ = try shared.value.train(steps)
      } catch {
        failures[k].value = "\(error)"
      }
    }
    #expect(failures.map(\.value) == ["", ""])
    #expect(shared.value.weights == reference.weights)
  }

  /// A forward function called from two threads with different inputs:
  /// each call returns its own input's result.
  @Test func oneCompiledFunctionFromTwoThreadsGivesEachCallItsOwnResult() throws {
    var generator = RandomGenerator(seed: 9)
    let w = Tensor.normal([8, 8], generator: &generator)
    let f = compile { xs in [relu(matmul(xs[0], w)).sum(axis: 1)] }
    let inputs = (0..<2).map { _ in Tensor.normal([64, 8], generator: &generator) }
    let expected = try inputs.map { try f($0)[0].scalars }

    let shared = Shared((f, inputs))
    let mismatches = [Shared(0), Shared(0)]
    onTwoThreads { k in
      let (f, inputs) = shared.value
      for _ in 0..<300 {
        let result = (try? f(inputs[k])[0].scalars) ?? []
        if result != expected[k] { mismatches[k].value += 1 }
      }
    }
    #expect(mismatches.map(\.value) == [0, 0])
  }
}
