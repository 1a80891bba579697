using System.Text.Json.Nodes;
using OGan.Distributed;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

/// <summary>Resuming through the library: what would change what is trained is refused; what may change is recorded in options.json.</summary>
public sealed class ResumePolicyTests
{
    private static RunSettings Tiny(long steps) => new(
        new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 },
        new TrainingOptions { BatchSize = 16, Steps = steps, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Seed = 5, CalibrationImages = 16 },
        "fashion-mnist");

    private static (string Checkpoint, RunFolder Folder) TrainedFor(OGan.Data.ImageSet data, long steps)
    {
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        using var trainer = new Trainer(Tiny(steps), data, folder);
        return (trainer.Run()!, folder);
    }

    public static TheoryData<string, Func<TrainingOptions, TrainingOptions>> Refused => new()
    {
        { "training.batch_size", o => o with { BatchSize = 8 } },
        { "training.seed", o => o with { Seed = 6 } },
        { "training.loss", o => o with { Loss = OGan.Losses.GanLoss.Hinge } },
        { "training.optimizer", o => o with { Optimizer = OptimizerKind.RMSprop } },
        { "training.ema_decay", o => o with { EmaDecay = 0.5 } },
        { "training.flip", o => o with { Flip = !o.Flip } },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_resume_that_changes_what_is_trained_is_refused_naming_the_setting(string setting, Func<TrainingOptions, TrainingOptions> change)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var (checkpoint, folder) = TrainedFor(data, 2);
        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Resume(checkpoint, data, folder, ProcessGroup.Single, s => s with { Training = change(s.Training) }).Dispose());
        Assert.StartsWith(setting + " cannot change on resume", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resume_with_another_learning_rate_records_it_in_options_json_and_keeps_earlier_resumes()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var (checkpoint, folder) = TrainedFor(data, 2);
        string second;
        using (var trainer = Trainer.Resume(checkpoint, data, folder, ProcessGroup.Single, s => s with { Training = s.Training with { Steps = 4, LearningRate = 1e-3 } }))
        {
            second = trainer.Run()!;
        }

        using (var trainer = Trainer.Resume(second, data, folder, ProcessGroup.Single, s => s with { Training = s.Training with { Steps = 5 } }))
        {
            trainer.Run();
        }

        var options = JsonNode.Parse(File.ReadAllText(folder.OptionsFile))!;
        Assert.Equal(1e-3, options["training"]!["learning_rate"]!.GetValue<double>());
        Assert.Equal(5, options["training"]!["steps"]!.GetValue<long>());
        var resumes = options["resumed"]!.AsArray();
        Assert.Equal(2, resumes.Count);
        Assert.Equal(2, resumes[0]!["step"]!.GetValue<long>());
        Assert.Equal(Tiny(2).Training.LearningRate, resumes[0]!["changed"]!["training.learning_rate"]!["was"]!.GetValue<double>());
        Assert.Equal(1e-3, resumes[0]!["changed"]!["training.learning_rate"]!["now"]!.GetValue<double>());
        Assert.Equal(4, resumes[1]!["step"]!.GetValue<long>());
        Assert.Null(resumes[1]!["changed"]!["training.learning_rate"]);
        Assert.Equal(Tiny(5).Training with { LearningRate = 1e-3 }, RunSettings.FromJson(File.ReadAllText(folder.OptionsFile)).Training);
    }
}
