// Release-build measurements for the runtime (run through tools/runtime-bench/run.sh):
//   fastmath     ns/element of the fast exp/log/tanh/sigmoid (portable Swift, FMA kernels) against Foundation's
//   parallel     elementwise and reduction throughput on one core and on all
//   allocations  heap allocations per interpreter run, after the first run
//   accuracy     the fast functions' largest error over all 2^32 float inputs (both paths)
import Foundation

@testable import Micrograd

/// The best of `repeats` timings of `body`, in nanoseconds.
func bestTime(repeats: Int = 20, _ body: () -> Void) -> Double {
  var best = Double.infinity
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
  }
  return best
}

/// A buffer of `count` values spread evenly over `range`.
func spread(_ count: Int, _ range: ClosedRange<Float>) -> UnsafeMutablePointer<Float> {
  let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
  for i in 0..<count { p[i] = range.lowerBound + (range.upperBound - range.lowerBound) * Float(i) / Float(count) }
  return p
}

func fastMath() {
  let count = 4096  // in L1: measures arithmetic, not memory
  let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let cases: [(String, UnaryFunction, ClosedRange<Float>, (Float) -> Float)] = [
    ("exp", .exp, -80...80, { Foundation.exp($0) }),
    ("log", .log, 1e-30...1e30, { Foundation.log($0) }),
    ("tanh", .tanh, -10...10, { Foundation.tanh($0) }),
    ("sigmoid", .sigmoid, -20...20, { 1 / (1 + Foundation.exp(-$0)) }),
  ]
  print("single thread, \(count) elements, best of 25 runs of 100 calls; FMA kernels: level \(VectorMath.level)")
  print("function   portable ns/elem   kernels ns/elem   speedup   Foundation ns/elem")
  for (name, f, range, reference) in cases {
    let x = spread(count, range)
    let calls = 100
    let portable =
      bestTime(repeats: 25) { for _ in 0..<calls { Elementwise.portableUnaryChunk(f, x, out, count: count) } }
      / Double(count * calls)
    let kernels =
      bestTime(repeats: 25) { for _ in 0..<calls { Elementwise.unaryChunk(f, x, out, count: count) } }
      / Double(count * calls)
    let libm = bestTime { for i in 0..<count { out[i] = reference(x[i]) } } / Double(count)
    print(
      name.padding(toLength: 10, withPad: " ", startingAt: 0),
      String(format: "%16.3f %17.3f %9.2fx %20.2f", portable, kernels, portable / kernels, libm))
    x.deallocate()
  }
  out.deallocate()
}

func parallel() {
  let count = 1 << 22
  let x = spread(count, -5...5)
  let y = spread(count, 1...2)
  let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let shape = Shape([count])
  print("kernel (\(count) elements)          one core ms   \(Parallel.threadCount) cores ms")
  let kernels: [(String, () -> Void, () -> Void)] = [
    (
      "unary tanh", { Elementwise.unaryChunk(.tanh, x, out, count: count) },
      { Elementwise.unary(.tanh, x, out, count: count) }
    ),
    (
      "binary add",
      {
        for i in 0..<count { out[i] = x[i] + y[i] }
      }, { Elementwise.binary(.add, x, shape, y, shape, out, shape) }
    ),
    (
      "sum rows [4096, 1024] axis 1",
      {
        for r in 0..<4096 {
          var acc: Float = 0
          for i in 0..<1024 { acc += x[r * 1024 + i] }
          out[r] = acc
        }
      }, { Reduction.reduce(.sum, x, [4096, 1024], axes: [1], out) }
    ),
  ]
  for (name, one, all) in kernels {
    let serial = bestTime(repeats: 10, one) / 1e6
    let split = bestTime(repeats: 10, all) / 1e6
    print(name.padding(toLength: 32, withPad: " ", startingAt: 0), String(format: "%11.2f %11.2f", serial, split))
  }
}

/// The allocation counter preloaded by run.sh, if any.
let allocationCount: (@convention(c) () -> Int)? = {
  guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "micrograd_allocation_count") else { return nil }
  return unsafeBitCast(symbol, to: (@convention(c) () -> Int).self)
}()

/// An MLP's value-and-grad program, lowered and compiled like
/// `compileValueAndGrad` does.
func mlpProgram(_ parameters: [Tensor], batch: Int) throws -> LoweredProgram {
  var graph = TracedGraph()
  graph.parameters = parameters.enumerated().map { ("p\($0.offset)", $0.element) }
  let (loss, grads) = Trace.record {
    let x = Trace.input([batch, 2], site: CallSite(#fileID, #line))
    let y = Trace.input([batch, 1], site: CallSite(#fileID, #line))
    graph.inputs = [("x", x), ("y", y)]
    let h1 = relu(matmul(x, parameters[0]) + parameters[1])
    let h2 = relu(matmul(h1, parameters[2]) + parameters[3])
    let d = matmul(h2, parameters[4]) - y
    let loss = (d * d).sum() / Float(batch)
    return (loss, grad(of: loss, withRespectTo: parameters, createGraph: true))
  }
  graph.outputs = [("loss", loss)] + grads.enumerated().map { ("grad\($0.offset)", $0.element) }
  graph.forwardRoots = [loss]
  graph.backwardRoots = grads
  return try Compiler.compile(graph)
}

func allocations() {
  guard let allocationCount else {
    print("allocations: run through tools/runtime-bench/run.sh (it preloads the allocation counter)")
    return
  }
  var generator = RandomGenerator(seed: 1)
  let parameters = [
    Tensor.normal([2, 64], requiresGrad: true, generator: &generator), Tensor.zeros([64], requiresGrad: true),
    Tensor.normal([64, 64], requiresGrad: true, generator: &generator), Tensor.zeros([64], requiresGrad: true),
    Tensor.normal([64, 1], requiresGrad: true, generator: &generator),
  ]
  print("MLP 2-64-64-1 value and grad (5 outputs)")
  for batch in [100, 512, 4096] {
    let lowered = try! mlpProgram(parameters, batch: batch)
    let interpreter = Interpreter(lowered)
    let inputs = [Tensor.normal([batch, 2], generator: &generator), Tensor.normal([batch, 1], generator: &generator)]
    _ = try! interpreter.run(inputs)  // the first run
    let runs = 200
    var before = allocationCount()
    for _ in 0..<runs { interpreter.execute() }
    let executeAllocations = allocationCount() - before
    before = allocationCount()
    for _ in 0..<runs { _ = try! interpreter.run(inputs) }
    let runAllocations = allocationCount() - before
    let time = bestTime(repeats: 50) { interpreter.execute() } / 1000
    print(
      "batch \(batch): \(lowered.program.instructions.count) instructions,",
      "\(lowered.program.memoryPlan?.summary ?? "no memory plan");",
      String(format: "%.1f µs a run;", time),
      "heap allocations per run: \(Double(executeAllocations) / Double(runs)) executing,",
      "\(Double(runAllocations) / Double(runs)) with inputs copied in and output tensors made")
  }
}

/// The distance between two finite floats in units in the last place.
func ulps(_ a: Float, _ b: Float) -> Int64 {
  func ordered(_ x: Float) -> Int64 {
    let magnitude = Int64(x.bitPattern & 0x7FFF_FFFF)
    return x.sign == .minus ? -magnitude : magnitude
  }
  return abs(ordered(a) - ordered(b))
}

/// One path's largest error and special values differing from the reference.
struct ErrorTally {
  var worst: Int64 = 0
  var worstInput: Float = 0
  var specialMismatches = 0

  @inline(__always)
  mutating func add(_ value: Float, expected: Float, at x: Float) {
    if expected.isFinite && value.isFinite {
      let error = ulps(value, expected)
      if error > worst { (worst, worstInput) = (error, x) }
    } else if !(expected.isNaN && value.isNaN) && value != expected {
      specialMismatches += 1
    }
  }
}

/// The largest error of both paths, the FMA kernels (what ``Elementwise``
/// runs, if this CPU has FMA) and the portable ``FastMath`` loops, over every
/// float input, and how many inputs the two paths give different results for.
func accuracy() {
  let cases: [(String, UnaryFunction, (Double) -> Double)] = [
    ("exp", .exp, { Foundation.exp($0) }),
    ("log", .log, { Foundation.log($0) }),
    ("tanh", .tanh, { Foundation.tanh($0) }),
    ("sigmoid", .sigmoid, { -$0 >= 88.72283935546875 ? 0 : 1 / (1 + Foundation.exp(-$0)) }),
  ]
  print("largest error over every float input, against the double result rounded to float")
  print("FMA kernels: level \(VectorMath.level) (0: none, the kernels rows repeat the portable path)")
  let chunk = 1 << 20
  let x = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
  let kernels = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
  let portable = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
  for (name, f, reference) in cases {
    var kernelsTally = ErrorTally()
    var portableTally = ErrorTally()
    var differing = 0
    for start in stride(from: 0, to: 1 << 32, by: chunk) {
      for i in 0..<chunk { x[i] = Float(bitPattern: UInt32(start + i)) }
      Elementwise.unaryChunk(f, x, kernels, count: chunk)
      Elementwise.portableUnaryChunk(f, x, portable, count: chunk)
      for i in 0..<chunk {
        let expected = Float(reference(Double(x[i])))
        kernelsTally.add(kernels[i], expected: expected, at: x[i])
        portableTally.add(portable[i], expected: expected, at: x[i])
        if kernels[i].bitPattern != portable[i].bitPattern && !(kernels[i].isNaN && portable[i].isNaN) {
          differing += 1
        }
      }
    }
    for (label, tally) in [("kernels", kernelsTally), ("portable", portableTally)] {
      print(
        "\(name) \(label): \(tally.worst) ulp (at x = \(tally.worstInput));",
        "special values differing: \(tally.specialMismatches)")
    }
    print("\(name): inputs where the two paths differ: \(differing)")
  }
  x.deallocate()
  kernels.deallocate()
  portable.deallocate()
}

let commands = CommandLine.arguments.dropFirst()
for command in commands.isEmpty ? ["fastmath", "parallel", "allocations"] : Array(commands) {
  switch command {
  case "fastmath": fastMath()
  case "parallel": parallel()
  case "accuracy": accuracy()
  case "allocations": allocations()
  default: print("unknown measurement \(command): fastmath, parallel, allocations or accuracy")
  }
}
