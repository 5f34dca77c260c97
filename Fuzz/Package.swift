// swift-tools-version: 6.1
// libFuzzer targets for the readers of untrusted files: the IR parser and validator, .npy and .safetensors.
// A package of its own, so that the main package's `swift build --build-tests` never sees a target without a
// `main` (libFuzzer supplies it). Build and run with `make fuzz` / `make fuzz-smoke` from the repository root;
// see Fuzz/README.md.
import PackageDescription

let fuzzerFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
  name: "MicrogradFuzz",
  dependencies: [.package(name: "Micrograd", path: "..")],
  targets: [
    .executableTarget(
      name: "micrograd-fuzz-ir", dependencies: [.product(name: "Micrograd", package: "Micrograd")],
      path: "IRParser", swiftSettings: fuzzerFlags),
    .executableTarget(
      name: "micrograd-fuzz-npy", dependencies: [.product(name: "Micrograd", package: "Micrograd")],
      path: "NumPy", swiftSettings: fuzzerFlags),
    .executableTarget(
      name: "micrograd-fuzz-safetensors", dependencies: [.product(name: "Micrograd", package: "Micrograd")],
      path: "SafeTensors", swiftSettings: fuzzerFlags),
  ],
  swiftLanguageModes: [.v6]
)
