import Foundation
import Micrograd

/// One timing: every run's seconds, summarised as median, min and max.
struct Measurement {
  var workload: String
  var system: String
  var seconds: [Double]
  /// Further fields for the JSON line (values already JSON).
  var extra: [String: String] = [:]

  var median: Double { seconds.sorted()[seconds.count / 2] }

  /// The measurement as one JSON line; times in microseconds.
  var json: String {
    let sorted = seconds.sorted()
    var fields = [
      "\"workload\": \"\(workload)\"", "\"system\": \"\(system)\"",
      String(format: "\"median_us\": %.2f", median * 1e6), String(format: "\"min_us\": %.2f", sorted.first! * 1e6),
      String(format: "\"max_us\": %.2f", sorted.last! * 1e6), "\"runs\": \(seconds.count)",
    ]
    fields += extra.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
    return "{" + fields.joined(separator: ", ") + "}"
  }
}

/// Seconds since an arbitrary start, from the monotonic clock.
func now() -> Double {
  var spec = timespec()
  clock_gettime(CLOCK_MONOTONIC, &spec)
  return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// Times `body` `runs` times after `warmup` calls, returning each run's seconds.
func time(runs: Int, warmup: Int = 10, _ body: () throws -> Void) rethrows -> [Double] {
  for _ in 0..<warmup { try body() }
  var seconds: [Double] = []
  seconds.reserveCapacity(runs)
  for _ in 0..<runs {
    let start = now()
    try body()
    seconds.append(now() - start)
  }
  return seconds
}

/// The process's peak resident memory so far (VmHWM), in bytes.
func peakResidentBytes() -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
    return kilobytes * 1024
  }
  return 0
}

/// `"peak_rss_mb"`: the process's peak resident memory, for measurements
/// run in a process of their own (`--workload` and `--system` pick one).
func peakResidentField() -> (String, String) {
  ("peak_rss_mb", String(format: "%.1f", Double(peakResidentBytes()) / 1_048_576))
}

/// Prints the measurements as a table: workload, system, median, min, max and notes.
func printTable(_ results: [Measurement]) {
  func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
  print(pad("workload", 22) + pad("system", 20) + "   median µs      min µs      max µs  runs  notes")
  for r in results {
    let notes = ["gflops", "bandwidth_fraction", "peak_rss_mb", "nodes", "instructions"].compactMap { key in
      r.extra[key].map { "\(key)=\($0)" }
    }
    print(
      pad(r.workload, 22) + pad(r.system, 20)
        + String(
          format: "%12.1f %11.1f %11.1f %5d  ", r.median * 1e6, r.seconds.min()! * 1e6, r.seconds.max()! * 1e6,
          r.seconds.count) + notes.joined(separator: " "))
  }
}

/// An FNV-1a hash of the tensors' bit patterns, as a JSON string: equal
/// hashes from two builds (baseline and `-target-cpu native`) mean the same
/// results bit for bit.
func resultHash(_ tensors: [Tensor]) -> String {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for tensor in tensors {
    for value in tensor.scalars {
      hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3
    }
  }
  return "\"" + String(hash, radix: 16) + "\""
}
