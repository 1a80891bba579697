using System.Globalization;
using OGan.Checkpoints;
using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// A checkpoint as training reads and writes it: the run's settings, and the whole state of a trainer (networks,
/// optimizers, random generator, data order, fades). <see cref="Checkpoint"/> knows the file; this knows training.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1708", Justification = "CA1708 takes C# 14's two extension blocks for one receiver (instance and static members) for names that differ by case")]
public static class TrainingCheckpoints
{
    extension(Checkpoint checkpoint)
    {
        /// <summary>The model config, training options and data of the run.</summary>
        /// <exception cref="InvalidDataException">The settings are not a run's.</exception>
        public RunSettings Settings => RunSettings.FromJson(checkpoint.SettingsJson);

        /// <summary>Puts a trainer's state back as it was when this checkpoint was written.</summary>
        /// <exception cref="InvalidDataException">The checkpoint does not fit the state (another model, optimizer or data set).</exception>
        public void Restore(TrainingState state)
        {
            ArgumentNullException.ThrowIfNull(state);
            checkpoint.LoadModule(state.Generator, Checkpoint.GeneratorPrefix);
            checkpoint.LoadModule(state.Encoder, Checkpoint.EncoderPrefix);
            var emaPrefix = checkpoint.HasEma ? Checkpoint.EmaPrefix : Checkpoint.GeneratorPrefix;
            if (state.Ema is not null)
            {
                checkpoint.LoadModule(state.Ema, emaPrefix);
            }

            if (state.IsFading != checkpoint.IsFading && Fade.AlphaAfter(checkpoint.Step * checkpoint.BatchSize, checkpoint.FadeImages) < 1)
            {
                throw new InvalidDataException(
                    $"{checkpoint.Path} cannot resume this run: it was written {(checkpoint.IsFading ? "while" : "after")} new layers faded in, the run's settings say {(checkpoint.IsFading ? "after" : "while")}");
            }

            if (checkpoint.IsFading && state.IsFading)
            {
                checkpoint.LoadFade(state.Generator.Fade!, Checkpoint.GeneratorPrefix);
                checkpoint.LoadFade(state.Encoder.Fade!, Checkpoint.EncoderPrefix);
                if (state.Ema is not null)
                {
                    checkpoint.LoadFade(state.Ema.Fade!, emaPrefix);
                }
            }

            try
            {
                OptimizerStates.Load(state.GeneratorOptimizer, checkpoint.Part(Checkpoint.GeneratorOptimizerPrefix));
                OptimizerStates.Load(state.EncoderOptimizer, checkpoint.Part(Checkpoint.EncoderOptimizerPrefix));
                using (var current = state.Random.get_state())
                {
                    state.Random.set_state(checkpoint.Required(Checkpoint.RngKey, ScalarType.Byte, current.shape));
                }

                var permutation = checkpoint.Required(Checkpoint.PermutationKey, ScalarType.Int64, [state.Permutation.Length]);
                state.Restore(checkpoint.Step, checkpoint.Cursor, permutation.data<long>().ToArray());
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
            {
                throw new InvalidDataException($"{checkpoint.Path} cannot resume this run: {e.Message.Split('\n', 2)[0].Trim()}", e);
            }
        }
    }

    extension(Checkpoint)
    {
        /// <summary>Writes a training state atomically to <paramref name="path"/>.</summary>
        public static void Write(string path, RunSettings settings, TrainingState state)
        {
            ArgumentNullException.ThrowIfNull(settings);
            ArgumentNullException.ThrowIfNull(state);
            using var scope = NewDisposeScope();
            var entries = new List<(string, Tensor)>();
            entries.AddRange(Checkpoint.Prefixed(Checkpoint.GeneratorPrefix, state.Generator.state_dict()));
            entries.AddRange(Checkpoint.Prefixed(Checkpoint.EncoderPrefix, state.Encoder.state_dict()));
            if (state.Ema is not null)
            {
                entries.AddRange(Checkpoint.Prefixed(Checkpoint.EmaPrefix, state.Ema.state_dict()));
            }

            if (state.IsFading)
            {
                entries.AddRange(Checkpoint.Prefixed(Checkpoint.FadePrefix + Checkpoint.GeneratorPrefix, state.Generator.Fade!.Layer.state_dict()));
                entries.AddRange(Checkpoint.Prefixed(Checkpoint.FadePrefix + Checkpoint.EncoderPrefix, state.Encoder.Fade!.Layer.state_dict()));
                if (state.Ema is not null)
                {
                    entries.AddRange(Checkpoint.Prefixed(Checkpoint.FadePrefix + Checkpoint.EmaPrefix, state.Ema.Fade!.Layer.state_dict()));
                }
            }

            entries.AddRange(Checkpoint.Prefixed(Checkpoint.GeneratorOptimizerPrefix, OptimizerStates.Save(state.GeneratorOptimizer)));
            entries.AddRange(Checkpoint.Prefixed(Checkpoint.EncoderOptimizerPrefix, OptimizerStates.Save(state.EncoderOptimizer)));
            entries.Add((Checkpoint.RngKey, state.Random.get_state()));
            entries.Add((Checkpoint.PermutationKey, tensor(state.Permutation)));
            SafeTensors.Save(path, entries, new Dictionary<string, string>
            {
                [Checkpoint.FormatKey] = Checkpoint.Format,
                [Checkpoint.SettingsKey] = settings.ToJson(),
                [Checkpoint.StepKey] = state.Step.ToString(CultureInfo.InvariantCulture),
                [Checkpoint.CursorKey] = state.Cursor.ToString(CultureInfo.InvariantCulture),
            });
        }

        /// <summary>
        /// The run's settings and whether the file carries a digest, from its header alone: for what must be known
        /// before the whole file is read (and checked) by <see cref="Checkpoint.Read"/>.
        /// </summary>
        /// <exception cref="InvalidDataException">Not an OGan checkpoint; the message names the file.</exception>
        internal static (RunSettings Settings, bool IsVerified) ReadSettings(string path)
        {
            var (json, isVerified) = Checkpoint.ReadSettingsJson(path);
            try
            {
                return (RunSettings.FromJson(json), isVerified);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }
    }
}
