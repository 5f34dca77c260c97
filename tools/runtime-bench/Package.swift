// swift-tools-version: 6.1
// Runtime microbenchmarks (fast math, parallel kernels, heap allocations per
// interpreter run). A package of its own: it reaches internal kernels through
// `@testable import`, which needs `-enable-testing` (run.sh passes it), so the
// main package's release build never sees it.
import PackageDescription

let package = Package(
  name: "MicrogradRuntimeBench",
  dependencies: [.package(name: "Micrograd", path: "../..")],
  targets: [
    .executableTarget(
      name: "micrograd-runtime-bench", dependencies: [.product(name: "Micrograd", package: "Micrograd")],
      path: "Sources")
  ],
  swiftLanguageModes: [.v6]
)
