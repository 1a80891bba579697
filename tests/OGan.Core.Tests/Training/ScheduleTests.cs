using OGan.Losses;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

public sealed class ScheduleTests
{
    private static readonly OGanConfig Config = new() { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 };

    private static TrainingStep StepOf(TrainingState state, TrainingOptions options) =>
        new(state, options, new OGanLoss(GanObjective.Create(options.Loss, options.LambdaQp), options.LambdaRho));

    [Fact]
    public void Learning_rates_fall_from_their_start_to_the_floor_at_the_last_step()
    {
        var options = new TrainingOptions { Steps = 101, ScheduleSteps = 0, LearningRateFloor = 0.1 };
        using var state = new TrainingState(Config, options, CPU, 64);
        double[] At(LearningRateDecay decay) => [.. new long[] { 0, 50, 100, 500 }.Select(s => StepOf(state, options with { LearningRateDecay = decay }).LearningRateFactorAt(s))];

        Assert.Equal([1, 1, 1, 1], At(LearningRateDecay.None));
        Assert.Equal([1, 0.55, 0.1, 0.1], At(LearningRateDecay.Linear), new ToleranceComparer(1e-12));
        Assert.Equal([1, 0.55, 0.1, 0.1], At(LearningRateDecay.Cosine), new ToleranceComparer(1e-12)); // the midpoint of half a cosine is the mean
        Assert.Equal(0.1 + (0.9 * (1 + Math.Cos(Math.PI / 4)) / 2), StepOf(state, options with { LearningRateDecay = LearningRateDecay.Cosine }).LearningRateFactorAt(25), 12); // above the line's 0.775
    }

    [Fact]
    public void Each_iteration_sets_each_optimizer_to_its_own_scheduled_rate()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 32);
        var options = new TrainingOptions
        {
            BatchSize = 16, Steps = 3, ScheduleSteps = 0, EncoderLearningRate = 4e-4, GeneratorLearningRate = 1e-4, LearningRateDecay = LearningRateDecay.Linear, LearningRateFloor = 0.5,
        };
        using var state = new TrainingState(Config, options, CPU, data.Count);
        var step = StepOf(state, options);
        double Rate(optim.Optimizer optimizer) => optimizer.ParamGroups.Single().LearningRate;
        Assert.Equal(4e-4, Rate(state.EncoderOptimizer), 12);
        Assert.Equal(1e-4, Rate(state.GeneratorOptimizer), 12);

        using var real = data.First(16, CPU);
        var seen = new List<(double E, double G)>();
        for (var i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            step.Run(real);
            seen.Add((Rate(state.EncoderOptimizer), Rate(state.GeneratorOptimizer)));
            state.Advance();
        }

        Assert.Equal([(4e-4, 1e-4), (3e-4, 0.75e-4), (2e-4, 0.5e-4)], seen.Select(r => (Math.Round(r.E, 12), Math.Round(r.G, 12))));
    }

    [Fact]
    public void The_rho_weight_moves_to_its_end_value_after_the_warm_up()
    {
        var options = new TrainingOptions { Steps = 13, ScheduleSteps = 0, LambdaRho = 0.5, LambdaRhoWarmup = 2, LambdaRhoGrowth = 3 };
        using var state = new TrainingState(Config, options, CPU, 64);
        var step = StepOf(state, options);
        Assert.Equal([0.25, 0.5, 0.5, 0.6, 1.0, 1.5, 1.5], [.. new long[] { 0, 1, 2, 3, 7, 12, 40 }.Select(s => Math.Round(step.LossAt(s).LambdaRho, 12))]);
    }

    [Fact]
    public void The_moving_average_warms_up_over_a_tenth_of_a_fresh_run_and_a_quarter_of_a_grown_one()
    {
        var options = new TrainingOptions { Steps = 30_000, EmaDecay = 0.999 };
        using var state = new TrainingState(Config, options, CPU, 64);
        long[] steps = [0, 2, 8, 20_000];
        Assert.Equal([0.1, 0.25, 0.5, 0.999], [.. steps.Select(s => Math.Round(StepOf(state, options).EmaDecayAt(s), 12))]);
        var grown = options with { GrowFrom = "/runs/64px/checkpoint-008000.safetensors" };
        Assert.Equal([0.25, 0.5, 0.75, 0.999], [.. steps.Select(s => Math.Round(StepOf(state, grown).EmaDecayAt(s), 12))]);
    }

    [Fact]
    public void A_fixed_schedule_length_runs_its_course_whatever_the_run_length_and_then_holds()
    {
        var options = new TrainingOptions
        {
            Steps = 1000, ScheduleSteps = 101, LearningRateDecay = LearningRateDecay.Linear, LearningRateFloor = 0.1, LambdaRho = 0.5, LambdaRhoGrowth = 3,
        };
        using var state = new TrainingState(Config, options, CPU, 64);
        long[] steps = [0, 50, 100, 500, 999];
        foreach (var runLength in new long[] { 60, 1000 })
        {
            var step = StepOf(state, options with { Steps = runLength });
            Assert.Equal([1, 0.55, 0.1, 0.1, 0.1], [.. steps.Select(s => Math.Round(step.LearningRateFactorAt(s), 12))]);
            Assert.Equal([0.5, 1.0, 1.5, 1.5, 1.5], [.. steps.Select(s => Math.Round(step.LossAt(s).LambdaRho, 12))]);
        }
    }

    [Fact]
    public void Settings_written_before_an_option_existed_read_it_as_that_version_trained()
    {
        var current = new RunSettings(Config, new TrainingOptions { LearningRateDecay = LearningRateDecay.Cosine, LambdaRhoGrowth = 2, EncoderLearningRate = 1e-3 }, "fashion-mnist");
        Assert.Equal(current, RunSettings.FromJson(current.ToJson()));

        var json = System.Text.Json.Nodes.JsonNode.Parse(current.ToJson())!;
        foreach (var key in new[] { "encoder_learning_rate", "generator_learning_rate", "learning_rate_decay", "learning_rate_floor", "schedule_steps", "lambda_rho_growth" })
        {
            Assert.True(json["training"]!.AsObject().Remove(key), key);
        }

        var old = RunSettings.FromJson(json.ToJsonString()).Training;
        Assert.Equal(PreviousDefaults.Options.LearningRateDecay, old.LearningRateDecay);
        Assert.Equal(1, old.LambdaRhoGrowth);
        Assert.Equal(0, old.ScheduleSteps);
        Assert.Equal(0, old.EncoderLearningRate);
        Assert.Equal(current.Training.EmaDecay, old.EmaDecay); // a key 0.2 wrote keeps the value it holds
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
