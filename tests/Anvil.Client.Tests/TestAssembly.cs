using System.Runtime.CompilerServices;

namespace Anvil.Client.Tests;

/// <summary>Runs before any test of this assembly.</summary>
internal static class TestAssembly
{
#pragma warning disable CA2255 // A module initializer is the one place that runs before any test in the assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => TestEnvironment.Isolate(); // runs per assembly, so each test project has one
}
