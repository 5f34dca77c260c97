import Foundation
import Micrograd

/// B3: a fused elementwise expression, y = tanh(1.5·x + 0.5)·sigmoid(x) + x·x,
/// over 2^20 and 2^24 float32: forward, and forward + backward (the gradient
/// of sum(y) with respect to x).
///
/// Compiled, `x` is a tensor the function captures, read in place at every
/// run as `jax.jit` reads a device array (an input argument would be copied
/// into the program's input buffer first); each call returns new tensors, as
/// `jax.jit` returns new arrays. The one-pass bound is one read of `x` and
/// one write of the result (`y`, or the gradient) at the machine's copy
/// bandwidth.
enum FusedElementwise {
  /// The copy bandwidth of this machine (bytes read + written per second), from issue 6.
  static let bandwidth = 40e9

  static func expression(_ x: Tensor) -> Tensor { tanh(1.5 * x + 0.5) * sigmoid(x) + x * x }

  static func extra(_ seconds: [Double], count: Int) -> [String: String] {
    let median = seconds.sorted()[seconds.count / 2]
    let bound = Double(2 * count * MemoryLayout<Float>.stride) / bandwidth
    return ["bandwidth_fraction": String(format: "%.3f", bound / median), "elements": "\(count)"]
  }

  static func run(_ options: Options, _ report: (Measurement) -> Void) {
    for power in options.sizes {
      let count = 1 << power
      let runs = options.runs(default: power >= 24 ? 30 : 200)
      let warmup = power >= 24 ? 3 : 10
      var generator = RandomGenerator(seed: 3)
      let x = Tensor.uniform([count], low: -3, high: 3, generator: &generator)
      let forward = "B3-fwd-2^\(power)"
      let both = "B3-fwdbwd-2^\(power)"
      if options.systems.contains("compiled") {
        let f = compile { _ in [expression(x)] }
        if options.printPrograms { FileHandle.standardError.write(Data("\(try! f.program(for: []))\n".utf8)) }
        let seconds = try! time(runs: runs, warmup: warmup) { _ = try f() }
        var forwardExtra = extra(seconds, count: count)
        forwardExtra["result_hash"] = resultHash(try! f())
        report(
          Measurement(
            workload: forward, system: "micrograd-compiled", seconds: seconds, extra: forwardExtra))
        if options.printProfiles {
          FileHandle.standardError.write(Data("# \(forward)\n\(try! f.profile(runs: runs))\n".utf8))
        }
        x.requiresGrad = true
        let g = compileValueAndGrad(withRespectTo: [x]) { _ in expression(x).sum() }
        if options.printPrograms { FileHandle.standardError.write(Data("\(try! g.program(for: []))\n".utf8)) }
        let gradient = try! time(runs: runs, warmup: warmup) { _ = try g() }
        var gradientExtra = extra(gradient, count: count)
        gradientExtra["result_hash"] = resultHash(try! g())
        if options.printProfiles {
          FileHandle.standardError.write(Data("# \(both)\n\(try! g.profile(runs: runs))\n".utf8))
        }
        x.requiresGrad = false
        report(
          Measurement(
            workload: both, system: "micrograd-compiled", seconds: gradient, extra: gradientExtra))
      }
      if options.systems.contains("eager") {
        let seconds = time(runs: runs, warmup: warmup) { _ = noGrad { expression(x) } }
        report(
          Measurement(
            workload: forward, system: "micrograd-eager", seconds: seconds, extra: extra(seconds, count: count)))
        x.requiresGrad = true
        let gradient = time(runs: runs, warmup: warmup) {
          x.zeroGrad()
          expression(x).sum().backward()
        }
        x.requiresGrad = false
        report(
          Measurement(
            workload: both, system: "micrograd-eager", seconds: gradient, extra: extra(gradient, count: count)))
      }
    }
  }
}
