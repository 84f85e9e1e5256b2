namespace Anvil.Runner.Inputs;

/// <summary>An input the runner cannot use. The message names the file (and line where there is one) and is
/// meant to be shown to the user as it is.</summary>
public sealed class RunnerInputException(string message, Exception? inner = null) : Exception(message, inner);
