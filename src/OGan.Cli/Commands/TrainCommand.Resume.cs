using System.CommandLine;
using System.Text.Json.Nodes;
using OGan.Data;
using OGan.Training;

namespace OGan.Cli;

/// <summary>ogan train --resume: the run's own settings, with the options given alongside taking effect where ResumePolicy allows.</summary>
internal static partial class TrainCommand
{
    /// <summary>
    /// The resumed run's settings: the run's own, with every option given alongside --resume taking effect as the
    /// same option of a new run would (a table, <see cref="SettingOf"/>). Which settings may change is
    /// <see cref="ResumePolicy"/>'s rule alone: a change to one that says what is trained is refused here in one line
    /// naming the option (Trainer.Resume would refuse it naming the setting).
    /// </summary>
    private static RunSettings ResumeSettings(RunSettings saved, RunSettings asked, ParseResult parse)
    {
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        var savedJson = JsonNode.Parse(saved.ToJson())!.AsObject();
        var askedJson = JsonNode.Parse(asked.ToJson())!.AsObject();
        var json = savedJson.DeepClone().AsObject();
        foreach (var (option, setting) in SettingOf.Where(entry => Given(entry.Option)))
        {
            SetAt(json, setting, At(askedJson, setting)?.DeepClone());
        }

        // What is the same run in other words stays as the run wrote it: its data folder given by another path, a
        // width or z of 0 that resolves to the run's, and --images (iterations of the run's batch).
        if (Given(DataOptions.Data) && Path.GetFullPath(asked.Data) == Path.GetFullPath(saved.Data))
        {
            json["data"] = saved.Data;
        }

        if (asked.Model.MaxChannels == saved.Model.MaxChannels)
        {
            SetAt(json, "model.width", At(savedJson, "model.width")?.DeepClone());
        }

        if (asked.Model.LatentDim == saved.Model.LatentDim)
        {
            SetAt(json, "model.z_dim", At(savedJson, "model.z_dim")?.DeepClone());
        }

        if (Given(ImagesSeen))
        {
            SetAt(json, "training.steps", (parse.GetValue(ImagesSeen) + saved.Training.BatchSize - 1) / saved.Training.BatchSize);
        }

        var resumed = RunSettings.FromJson(json.ToJsonString());
        if (ResumePolicy.FirstRefused(saved, resumed) is { } refused)
        {
            var option = SettingOf.FirstOrDefault(entry => entry.Setting == refused.Name).Option;
            var given = option is Option<bool> ? option.Name : $"{option?.Name ?? refused.Name} {Show(refused.Now)}"; // a switch says all by its name
            throw new UserError(
                $"{given} cannot change on --resume (the run was trained with {Show(refused.Was)}): it changes what is trained; leave it out, or start a new run", Guard.Usage);
        }

        return resumed;

        static string Show(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "off";
    }

    /// <summary>Each option of a new run and the setting (options.json's name) it sets: what an option given with --resume changes.</summary>
    /// <remarks>A property: static fields of the other parts of this class (the options) may not be set yet when this part's are.</remarks>
    internal static (Option Option, string Setting)[] SettingOf =>
    [
        (DataOptions.Data, "data"), (DataOptions.Res, "model.image_size"), (DataOptions.Channels, "model.channels"), (Width, "model.width"), (MinChannels, "model.min_channels"), (ZDim, "model.z_dim"), (Kernel, "model.kernel_size"),
        (Batch, "training.batch_size"), (Steps, "training.steps"), (OptimizerOption, "training.optimizer"), (Lr, "training.learning_rate"),
        (LrE, "training.encoder_learning_rate"), (LrG, "training.generator_learning_rate"), (LrDecay, "training.learning_rate_decay"),
        (LrFloor, "training.learning_rate_floor"), (ScheduleSteps, "training.schedule_steps"), (Beta1, "training.beta1"), (Beta2, "training.beta2"),
        (SinglePass, "training.formulation"), (CalibrationImages, "training.calibration_images"), (Loss, "training.loss"), (LambdaQp, "training.lambda_qp"),
        (LambdaRho, "training.lambda_rho"), (LambdaRhoWarmup, "training.lambda_rho_warmup"), (LambdaRhoGrowth, "training.lambda_rho_growth"),
        (Ema, "training.ema_decay"), (Seed, "training.seed"), (ModelOptions.Device, "training.device"), (ModelOptions.Precision, "training.precision"),
        (Flip, "training.flip"), (HoldoutShare, "training.holdout"), (AugmentOption, "training.augment"), (AugmentRho, "training.augment_rho"), (AugmentProbability, "training.augment_probability"),
        (LogEvery, "training.log_every"), (SampleEvery, "training.sample_every"), (MetricsEvery, "training.metrics_every"), (SnapshotEvery, "training.snapshot_every"),
    ];

    private static JsonNode? At(JsonObject root, string setting) =>
        setting.Split('.') is [var section, var name] ? root[section]?[name] : root[setting];

    private static void SetAt(JsonObject root, string setting, JsonNode? value)
    {
        if (setting.Split('.') is [var section, var name])
        {
            root[section]![name] = value;
        }
        else
        {
            root[setting] = value;
        }
    }
}
