using Anvil.Cli;

return await AnvilCommandLine.InvokeAsync(args);
