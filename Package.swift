// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Micrograd",
  products: [
    .library(name: "Micrograd", targets: ["Micrograd"]),
    .executable(name: "moons", targets: ["moons"]),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS",
      path: "Sources/CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .target(
      name: "Micrograd",
      dependencies: ["CBLAS"]
    ),
    .executableTarget(name: "moons", dependencies: ["Micrograd"], path: "samples/moons"),
    .executableTarget(
      name: "micrograd-bench", dependencies: ["Micrograd"], path: "tools/bench", exclude: ["allocation-counter.c", "run.sh"]),
    .testTarget(name: "MicrogradTests", dependencies: ["Micrograd"], resources: [.copy("Fixtures")]),
  ],
  swiftLanguageModes: [.v6]
)
