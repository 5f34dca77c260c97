import Micrograd

/// B4: what compiling costs — tracing, autodiff, the passes and preparing the
/// interpreter, timed to the first program on a fresh compiled function
/// (nothing is run). (a) a chain of 1,000 elementwise ops on a 1024-vector,
/// forward; (b) a 50-layer, 64-wide MLP (batch 64), forward + backward of
/// the sum of its output; and the chain at 1k, 10k and 100k nodes, whose
/// cost per node must stay flat.
enum CompileCost {
  /// Op `k` of the chain: ×1.001, +0.001, tanh, sigmoid, in turn (the peers do the same).
  static func chain(_ x: Tensor, length: Int) -> Tensor {
    var y = x
    for k in 0..<length {
      switch k % 4 {
      case 0: y = y * 1.001
      case 1: y = y + 0.001
      case 2: y = tanh(y)
      default: y = sigmoid(y)
      }
    }
    return y
  }

  /// Seconds to trace and compile `make()`'s function for inputs of `shapes`.
  static func compileSeconds(_ shapes: [Shape], _ make: () -> CompiledFunction) -> (Double, Program) {
    let start = now()
    let program = try! make().program(for: shapes)
    return (now() - start, program)
  }

  static func measure(
    _ workload: String, nodes: Int, runs: Int, warmup: Int = 1, _ shapes: [Shape], _ report: (Measurement) -> Void,
    _ make: () -> CompiledFunction
  ) {
    var program: Program?
    // Untimed compiles first: call sites met for the first time are symbolicated once per process.
    let seconds = time(runs: runs, warmup: warmup) { program = compileSeconds(shapes, make).1 }
    let extra = ["nodes": "\(nodes)", "instructions": "\(program!.instructions.count)"]
    report(Measurement(workload: workload, system: "micrograd-compiled", seconds: seconds, extra: extra))
  }

  static func run(_ options: Options, _ report: (Measurement) -> Void) {
    guard options.systems.contains("compiled") else { return }
    measure("B4-chain-1000", nodes: 1000, runs: options.runs(default: 20), [[1024]], report) {
      compile { xs in [chain(xs[0], length: 1000)] }
    }
    var generator = RandomGenerator(seed: 4)
    let model = MLP(64, [Int](repeating: 64, count: 50), generator: &generator)
    let parameters = model.parameters()
    measure("B4-mlp-50x64", nodes: 50 * 4, runs: options.runs(default: 20), [[64, 64]], report) {
      compileValueAndGrad(withRespectTo: parameters) { xs in model(xs[0]).sum() }
    }
    // The chain's call sites are symbolicated by now (B4-chain-1000): no warm-up needed.
    for (length, runs) in [(1000, 10), (10_000, 3), (100_000, 1)] {
      let runs = min(runs, options.runs(default: runs))
      measure("B4-scale-\(length / 1000)k", nodes: length, runs: runs, warmup: 0, [[1024]], report) {
        compile { xs in [chain(xs[0], length: length)] }
      }
    }
  }
}
