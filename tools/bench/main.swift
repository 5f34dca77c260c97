// Release-build measurements for the runtime (run through tools/bench/run.sh):
//   fastmath     ns/element of the fast exp/log/tanh/sigmoid against Foundation's
//   parallel     elementwise and reduction throughput on one core and on all
//   allocations  heap allocations per interpreter run, after the first run
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
  let count = 1 << 14  // in L1/L2: measures arithmetic, not memory
  let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let cases: [(String, UnaryFunction, ClosedRange<Float>, (Float) -> Float)] = [
    ("exp", .exp, -80...80, { Foundation.exp($0) }),
    ("log", .log, 1e-30...1e30, { Foundation.log($0) }),
    ("tanh", .tanh, -10...10, { Foundation.tanh($0) }),
    ("sigmoid", .sigmoid, -20...20, { 1 / (1 + Foundation.exp(-$0)) }),
  ]
  print("function   fast ns/elem   Foundation ns/elem   speedup   (single thread, \(count) elements)")
  for (name, f, range, reference) in cases {
    let x = spread(count, range)
    let fast = bestTime { Elementwise.unaryChunk(f, x, out, count: count) } / Double(count)
    let libm = bestTime { for i in 0..<count { out[i] = reference(x[i]) } } / Double(count)
    print(
      name.padding(toLength: 10, withPad: " ", startingAt: 0), String(format: "%10.2f %20.2f %12.1fx", fast, libm, libm / fast))
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
    ("unary tanh", { Elementwise.unaryChunk(.tanh, x, out, count: count) }, { Elementwise.unary(.tanh, x, out, count: count) }),
    ("binary add", {
      for i in 0..<count { out[i] = x[i] + y[i] }
    }, { Elementwise.binary(.add, x, shape, y, shape, out, shape) }),
    ("sum rows [4096, 1024] axis 1", {
      for r in 0..<4096 {
        var acc: Float = 0
        for i in 0..<1024 { acc += x[r * 1024 + i] }
        out[r] = acc
      }
    }, { Reduction.reduce(.sum, x, [4096, 1024], axes: [1], out) }),
  ]
  for (name, one, all) in kernels {
    let serial = bestTime(repeats: 10, one) / 1e6
    let split = bestTime(repeats: 10, all) / 1e6
    print(name.padding(toLength: 32, withPad: " ", startingAt: 0), String(format: "%11.2f %11.2f", serial, split))
  }
}

/// The allocation counter preloaded by run.sh, if any.
let allocationCount: (@convention(c) () -> Int)? = {
  guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "micrograd_allocation_count")
  else { return nil }
  return unsafeBitCast(symbol, to: (@convention(c) () -> Int).self)
}()

func allocations() {}

let commands = CommandLine.arguments.dropFirst()
for command in commands.isEmpty ? ["fastmath", "parallel", "allocations"] : Array(commands) {
  switch command {
  case "fastmath": fastMath()
  case "parallel": parallel()
  case "experiment": experiment()
  case "allocations": allocations()
  default: print("unknown measurement \(command): fastmath, parallel or allocations")
  }
}
