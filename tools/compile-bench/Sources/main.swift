// Compile-cost measurements for issue 6's B4 (run through tools/compile-bench/run.sh):
//   b4      trace + compile of (a) a chain of 1,000 elementwise ops on a 1024-vector
//           (forward, and value-and-grad) and (b) a 50-layer, 64-wide MLP forward + backward
//   sweep   value-and-grad programs from about 1k to 100k lowered instructions, a chain and
//           a deep narrow MLP, with time per instruction, so growth is visible
//   stages  B4's 100k forward chain and the largest sweep cases split into trace, lowering, each
//           pass, interpreter setup, free (b4-stages: the forward chain only)
// "trace + compile" is what a fresh CompiledFunction's first `program(for:)` costs: tracing
// (forward and the backward rules), lowering, every pass and preparing the interpreter.
import Foundation

@testable import Micrograd

/// Nanoseconds on the monotonic clock.
func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Nanoseconds of CPU time this thread has used: what a compile costs when
/// other processes share the cores (wall time then waits for them too).
func cpuNow() -> UInt64 {
  var time = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
  return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func milliseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }

/// A workload: a function to compile and its input shapes.
struct Workload {
  var name: String
  var shapes: [Shape]
  var make: () -> CompiledFunction
}

/// The ops of a chain, in turn: operators (which capture their call stack
/// while tracing) and named functions.
func chainStep(_ y: Tensor, _ k: Int) -> Tensor {
  switch k % 4 {
  case 0: y * 0.999
  case 1: tanh(y)
  case 2: y + 0.001
  default: sigmoid(y)
  }
}

/// `length` elementwise ops on a vector of `size`, forward only.
func chainForward(_ length: Int, size: Int) -> Workload {
  Workload(name: "chain \(length) fwd", shapes: [[size]]) {
    compile { xs in
      var y = xs[0]
      for k in 0..<length { y = chainStep(y, k) }
      return [y]
    }
  }
}

/// `length` elementwise ops on `x * w`, summed; value and gradient in `w`.
func chainValueAndGrad(_ length: Int, size: Int) -> Workload {
  let w = Tensor.ones([size], requiresGrad: true)
  return Workload(name: "chain \(length) v&g", shapes: [[size]]) {
    compileValueAndGrad(withRespectTo: [w]) { xs in
      var y = xs[0] * w
      for k in 1..<length { y = chainStep(y, k) }
      return y.sum()
    }
  }
}

/// An MLP of `depth` layers `width` wide on a batch of `batch`, squared
/// output summed; value and gradients in every parameter.
func mlpValueAndGrad(depth: Int, width: Int, batch: Int) -> Workload {
  var generator = RandomGenerator(seed: 7)
  let model = MLP(width, Array(repeating: width, count: depth), generator: &generator)
  let parameters = model.parameters()
  return Workload(name: "mlp \(depth)x\(width) v&g", shapes: [[batch, width]]) {
    compileValueAndGrad(withRespectTo: parameters) { xs in
      let y = model(xs[0])
      return (y * y).sum()
    }
  }
}

/// One trace + compile of a fresh function: wall and CPU time, the final
/// instruction count.
func compileOnce(_ workload: Workload) -> (nanoseconds: UInt64, cpu: UInt64, instructions: Int) {
  let function = workload.make()
  let (start, cpuStart) = (now(), cpuNow())
  let program = try! function.program(for: workload.shapes)
  let (elapsed, cpu) = (now() - start, cpuNow() - cpuStart)
  return (elapsed, cpu, program.instructions.count)
}

/// The lowered instruction count of a workload (traced once more).
func loweredCount(_ workload: Workload) -> Int {
  let dumps = try! workload.make().passDumps(for: workload.shapes)
  return dumps[0].program.instructions.count
}

/// Times of `repeats` compiles after a first one, in ms: the first's wall
/// time, the best and median wall time and the best CPU time of the rest.
struct Timing {
  var first: Double
  var best: Double
  var median: Double
  var cpu: Double
  var final: Int
}

func measure(_ workload: Workload, repeats: Int) -> Timing {
  let first = compileOnce(workload)
  var times: [UInt64] = []
  var cpu = UInt64.max
  for _ in 0..<repeats {
    let run = compileOnce(workload)
    times.append(run.nanoseconds)
    cpu = min(cpu, run.cpu)
  }
  times.sort()
  return Timing(
    first: milliseconds(first.nanoseconds), best: milliseconds(times[0]), median: milliseconds(times[times.count / 2]),
    cpu: milliseconds(cpu), final: first.instructions)
}

func b4(repeats: Int) {
  print("B4 compile cost: trace + compile (first program(for:) of a fresh function), release build")
  print("case                      lowered  final  first ms   best ms median ms  best CPU ms   (\(repeats) repeats)")
  let workloads = [
    chainForward(1000, size: 1024), chainValueAndGrad(1000, size: 1024),
    mlpValueAndGrad(depth: 50, width: 64, batch: 64),
  ]
  for workload in workloads {
    let lowered = loweredCount(workload)
    let result = measure(workload, repeats: repeats)
    print(
      workload.name.padding(toLength: 24, withPad: " ", startingAt: 0),
      String(
        format: "%8d %6d %9.2f %9.2f %9.2f %12.2f", lowered, result.final, result.first, result.best, result.median,
        result.cpu))
  }
}

/// Sizes of a workload giving about `target` lowered instructions, from the
/// count at a small size (the count grows linearly with the size).
func scaled(_ target: Int, small: Int, _ make: (Int) -> Workload) -> Workload {
  let perUnit = Double(loweredCount(make(small))) / Double(small)
  return make(max(1, Int((Double(target) / perUnit).rounded())))
}

func sweep(repeats: Int) {
  print("Compile time against program size: value-and-grad, trace + compile, best of \(repeats), release build")
  print("case                       lowered   best ms  median ms  best CPU ms  CPU µs/instruction")
  let targets = [1_000, 3_000, 10_000, 30_000, 100_000]
  let families: [(Int) -> Workload] = [
    { chainValueAndGrad($0, size: 256) }, { mlpValueAndGrad(depth: $0, width: 16, batch: 8) },
  ]
  for family in families {
    for target in targets {
      let workload = scaled(target, small: 100, family)
      let lowered = loweredCount(workload)
      let result = measure(workload, repeats: target >= 30_000 ? 1 : repeats)
      print(
        workload.name.padding(toLength: 24, withPad: " ", startingAt: 0),
        String(
          format: "%9d %9.1f %10.1f %12.1f %19.2f", lowered, result.best, result.median, result.cpu,
          result.cpu * 1000 / Double(lowered)))
    }
  }
}

/// Trace, lowering, each pass, freeing the traced graph and interpreter
/// setup, timed apart (CPU time of this thread): `trace()` builds the graph.
func timedStages(_ trace: () -> TracedGraph) -> [(String, UInt64)] {
  var marks: [(String, UInt64)] = [("start", cpuNow())]
  var lowered: LoweredProgram?
  do {
    let graph = trace()
    marks.append(("trace", cpuNow()))
    lowered = try! Compiler.compile(graph) { name, _ in marks.append((name, cpuNow())) }
  }
  marks.append(("free graph", cpuNow()))
  let interpreter = Interpreter(lowered!)
  marks.append(("interpreter", cpuNow()))
  _ = interpreter
  return marks
}

/// The stages of `f`'s value and gradients with respect to `parameters`.
func stages(_ parameters: [Tensor], shapes: [Shape], _ f: ([Tensor]) -> Tensor) -> [(String, UInt64)] {
  timedStages {
    var graph = TracedGraph()
    graph.parameters = parameters.indices.map { ("p\($0)", parameters[$0]) }
    let (loss, grads) = Trace.record {
      let inputs = shapes.map { Trace.input($0, site: CallSite(#fileID, #line)) }
      graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
      let loss = f(inputs)
      return (loss, grad(of: loss, withRespectTo: parameters, createGraph: true))
    }
    graph.outputs = [("loss", loss)] + grads.indices.map { ("grad.p\($0)", grads[$0]) }
    graph.forwardRoots = [loss]
    graph.backwardRoots = grads
    return graph
  }
}

/// The same split for B4's own workload: a forward chain of `length` ops
/// (×1.001, +0.001, tanh, sigmoid in turn, as micrograd-bench's) on a
/// 1024-vector, compiled with `compile` (no gradient).
func forwardStages(length: Int) -> [(String, UInt64)] {
  timedStages {
    var graph = TracedGraph()
    let output = Trace.record {
      let x = Trace.input([1024], site: CallSite(#fileID, #line))
      graph.inputs = [("x0", x)]
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
    graph.outputs = [("y0", output)]
    graph.forwardRoots = [output]
    return graph
  }
}

func printStages(_ title: String, _ marks: [(String, UInt64)], instructions: Int) {
  print("\(title): \(instructions) lowered instructions")
  for k in 1..<marks.count {
    let elapsed = marks[k].1 - marks[k - 1].1
    print(
      "  " + marks[k].0.padding(toLength: 20, withPad: " ", startingAt: 0),
      String(
        format: "%9.2f ms %8.3f µs/instruction", milliseconds(elapsed), Double(elapsed) / 1e3 / Double(instructions)))
  }
  print(
    "  " + "total".padding(toLength: 20, withPad: " ", startingAt: 0),
    String(format: "%9.2f CPU ms", milliseconds(marks.last!.1 - marks[0].1)))
}

/// B4's chain split into stages (run twice: the first warms the allocator).
func forwardStagesReport(target: Int) {
  _ = forwardStages(length: target)
  printStages("B4 chain \(target) fwd", forwardStages(length: target), instructions: target)
}

func stagesReport(target: Int) {
  forwardStagesReport(target: target)
  let chain = scaled(target, small: 100) { chainValueAndGrad($0, size: 256) }
  let length = Int(chain.name.split(separator: " ")[1])!
  let w = Tensor.ones([256], requiresGrad: true)
  printStages(
    chain.name,
    stages([w], shapes: [[256]]) { xs in
      var y = xs[0] * w
      for k in 1..<length { y = chainStep(y, k) }
      return y.sum()
    }, instructions: loweredCount(chain))
  let mlp = scaled(target, small: 100) { mlpValueAndGrad(depth: $0, width: 16, batch: 8) }
  let depth = Int(mlp.name.split(separator: " ")[1].split(separator: "x")[0])!
  var generator = RandomGenerator(seed: 7)
  let model = MLP(16, Array(repeating: 16, count: depth), generator: &generator)
  printStages(
    mlp.name,
    stages(model.parameters(), shapes: [[8, 16]]) { xs in
      let y = model(xs[0])
      return (y * y).sum()
    }, instructions: loweredCount(mlp))
}

var arguments = Array(CommandLine.arguments.dropFirst())
var repeats = 5
if let k = arguments.firstIndex(of: "--repeats"), k + 1 < arguments.count {
  repeats = Int(arguments[k + 1])!
  arguments.removeSubrange(k...(k + 1))
}
var target = 100_000
if let k = arguments.firstIndex(of: "--nodes"), k + 1 < arguments.count {
  target = Int(arguments[k + 1])!
  arguments.removeSubrange(k...(k + 1))
}
for command in arguments.isEmpty ? ["b4", "sweep"] : arguments {
  switch command {
  case "b4": b4(repeats: repeats)
  case "sweep": sweep(repeats: repeats)
  case "stages": stagesReport(target: target)
  case "b4-stages": forwardStagesReport(target: target)
  default: print("unknown measurement \(command); use b4, sweep, stages, b4-stages [--repeats N] [--nodes N]")
  }
}
