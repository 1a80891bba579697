using System.CommandLine;
using OGan.Cli;
using OGan.Cli.Serve;

// Nothing here touches libtorch: --help and usage errors stay fast.
var root = new RootCommand("OGan: train and use O-GAN, a GAN whose discriminator is also an encoder.")
{
    TrainCommand.Create(),
    SampleCommand.Create(),
    ReconstructCommand.Create(),
    InterpolateCommand.Create(),
    EncodeCommand.Create(),
    PrepareCommand.Create(),
    EvalCommand.Create(),
    ExportCommand.Create(),
    PlotCommand.Create(),
    ServeCommand.Create(),
    InfoCommand.Create(),
};
root.Options.Add(VerbosityOption.Option);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line and exit code 2, as every other usage error; --help shows the rest.
    var command = string.Join(' ', parsed.CommandResult.Command.Name == root.Name ? ["ogan"] : new[] { "ogan", parsed.CommandResult.Command.Name });
    Console.Error.WriteLine($"ogan: error: {UsageErrors.Describe(parsed, args)} (see `{command} --help`)");
    return Guard.Usage;
}

return await parsed.InvokeAsync().ConfigureAwait(false);
