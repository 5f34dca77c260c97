import Foundation

/// The command line: which workloads and systems to run, and how often.
///
/// ```
/// micrograd-bench [--workload B1,B2,B3,B4] [--system compiled|eager] [--runs N] [--size 20|24] [--json]
///                 [--programs] [--profile]
/// ```
/// Without `--workload`, every workload runs; without `--system`, compiled
/// and eager both (where a workload has both); `--runs` overrides each
/// workload's own count; `--json` prints the JSON lines alone (no table);
/// `--programs` and `--profile` print the compiled programs' IR and
/// per-instruction times (``ProgramProfile``) to standard error.
struct Options {
  var workloads: Set<String> = ["B1", "B2", "B3", "B4"]
  var systems: Set<String> = ["compiled", "eager"]
  var runs: Int?
  /// B3's sizes, as powers of two.
  var sizes: [Int] = [20, 24]
  var jsonOnly = false
  /// Print each compiled program's IR text to standard error.
  var printPrograms = false
  /// Print each compiled program's per-instruction profile (B2, B3) to standard error.
  var printProfiles = false

  init(_ arguments: [String]) {
    var rest = arguments.dropFirst()
    func value(_ flag: String) -> String {
      guard let next = rest.popFirst() else { usage("\(flag) needs a value") }
      return next
    }
    while let flag = rest.popFirst() {
      switch flag {
      case "--workload": workloads = Set(value(flag).uppercased().split(separator: ",").map(String.init))
      case "--system": systems = Set(value(flag).lowercased().split(separator: ",").map(String.init))
      case "--runs":
        guard let runs = Int(value(flag)), runs > 0 else { usage("--runs needs a positive count") }
        self.runs = runs
      case "--size":
        let sizes = value(flag).split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, sizes.allSatisfy({ (1...28).contains($0) }) else { usage("--size takes 1…28") }
        self.sizes = sizes
      case "--json": jsonOnly = true
      case "--programs": printPrograms = true
      case "--profile": printProfiles = true
      case "--help", "-h": usage(nil)
      default: usage("unknown argument \(flag)")
      }
    }
  }

  /// Runs for a workload: `--runs` when given, else the workload's default.
  func runs(default count: Int) -> Int { runs ?? count }
}

/// Prints the usage (and `problem`, if any) and exits.
func usage(_ problem: String?) -> Never {
  if let problem { print("micrograd-bench: \(problem)") }
  print(
    """
    usage: micrograd-bench [--workload B1,B2,B3,B4] [--system compiled,eager] [--runs N] [--size 20,24] [--json] [--programs] [--profile]
      B1 moons step (eager and compiled), B2 784-512-512-10 MLP step, B3 fused elementwise (2^size floats),
      B4 compile cost (trace + compile). Prints one JSON line per measurement, then a table.
    """)
  exit(problem == nil ? 0 : 2)
}
