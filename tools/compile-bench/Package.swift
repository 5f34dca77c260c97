// swift-tools-version: 6.1
// Compile-cost benchmark (issue 6, B4): trace + compile time of long chains
// and deep MLPs, with a per-stage breakdown. A package of its own: it times
// the compiler's stages through `@testable import`, which needs
// `-enable-testing` (run.sh passes it), so the main package's release build
// never sees it.
import PackageDescription

let package = Package(
  name: "MicrogradCompileBench",
  dependencies: [.package(name: "Micrograd", path: "../..")],
  targets: [
    .executableTarget(
      name: "micrograd-compile-bench", dependencies: [.product(name: "Micrograd", package: "Micrograd")],
      path: "Sources")
  ],
  swiftLanguageModes: [.v6]
)
