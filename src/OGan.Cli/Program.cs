using System.CommandLine;
using OGan.Cli;

// Nothing here touches libtorch: --help and usage errors stay fast.
var root = new RootCommand("OGan: train and use O-GAN, a GAN whose discriminator is also an encoder.")
{
    TrainCommand.Create(),
    SampleCommand.Create(),
    InfoCommand.Create(),
};

var parsed = root.Parse(args);
return await parsed.InvokeAsync().ConfigureAwait(false);
