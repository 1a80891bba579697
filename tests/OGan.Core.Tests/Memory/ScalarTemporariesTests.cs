using System.Reflection;
using OGan.Core.Tests.Structure;
using OGan.Training;

namespace OGan.Core.Tests.Memory;

/// <summary>
/// TorchSharp turns a number passed where it takes a Scalar (clamp_min(1e-8), lerp_(x, 0.01), t * 0.5) into a
/// temporary Scalar that nothing keeps alive during the native call: a collection on another thread can run its
/// finalizer while libtorch reads it (a run stopped at step ~420 with "Expected false to be true" from
/// Scalar::toFloat). OGan's code that runs at every training step therefore passes Scalars it holds: this test reads
/// the IL of every method in those namespaces and names each call that makes a temporary one.
/// </summary>
public sealed class ScalarTemporariesTests
{
    // The code of a training step (networks, losses, the step and its trainer, the data-parallel layer, batches),
    // of what training does between steps (grids, metrics, checkpoints) and of inference, which `ogan serve` runs
    // on several threads at once.
    private static readonly string[] StepNamespaces = ["OGan.Models", "OGan.Losses", "OGan.Training", "OGan.Distributed", "OGan.MixedPrecision", "OGan.Imaging", "OGan.Data", "OGan.Inference", "OGan.Evaluation", "OGan.Checkpoints", "OGan.Engine", "OGan.Export"];

    // What only `ogan eval` runs, on one thread, where their formulas read best as written (FID, KID, SWD, identity,
    // the ImageNet and Fashion-MNIST networks).
    private static readonly string[] EvalOnly = ["FeatureDistance", "LinearProbe", "SlicedWasserstein", "OnnxGraph", "ImageNetFeatures", "FashionClassifier", "IdentityRetrieval"];

    [Fact]
    public void No_method_of_training_or_inference_makes_a_temporary_scalar()
    {
        var offenders = typeof(Trainer).Assembly.GetTypes()
            .Where(type => StepNamespaces.Contains(type.Namespace) && !EvalOnly.Contains((type.DeclaringType ?? type).Name))
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>()
                .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
            .SelectMany(method => Calls(method).Where(MakesTemporaryScalar).Select(callee => $"{method.DeclaringType!.FullName}.{method.Name} calls {callee.DeclaringType!.Name}.{callee}: {Fix(callee)}"))
            .Distinct()
            .ToList();
        Assert.True(offenders.Count == 0,
            "temporary Scalars in training or inference (a collection on another thread can free one while libtorch reads it; " +
            "write the operation with OGan.Engine.HeldScalars, which holds its Scalar through the call):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_scan_finds_a_temporary_scalar_where_there_is_one()
    {
        var method = typeof(ScalarTemporariesTests).GetMethod(nameof(Offender), BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Contains(Calls(method), MakesTemporaryScalar);
        var fixes = Calls(method).Where(MakesTemporaryScalar).Select(Fix).ToList();
        Assert.Contains(fixes, fix => fix.Contains("t.Times(x)", StringComparison.Ordinal)); // * 0.5
        Assert.Contains(fixes, fix => fix.Contains("AtLeast (clamp_min)", StringComparison.Ordinal)); // clamp_min(1e-8)
    }

    private static TorchSharp.torch.Tensor Offender(TorchSharp.torch.Tensor x) => x.clamp_min(1e-8) * 0.5;

    private static TorchSharp.torch.Tensor SquareOffender(TorchSharp.torch.Tensor x) => x.square() + x;

    [Fact]
    public void The_scan_finds_square_and_tensor_addition()
    {
        var method = typeof(ScalarTemporariesTests).GetMethod(nameof(SquareOffender), BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Equal(2, Calls(method).Count(MakesTemporaryScalar));
    }

    /// <summary>
    /// A call that converts a number to a Scalar; a Tensor operator that takes a number (it converts it inside); or
    /// one of TorchSharp's methods that pass a constant as a temporary Scalar: square() (pow(2)), and add or add_ of a
    /// tensor without alpha (alpha 1), which Tensor + Tensor calls; or TorchSharp's BatchNorm2d (add_(1) per batch).
    /// </summary>
    private static bool MakesTemporaryScalar(MethodBase callee)
    {
        var parameters = callee.GetParameters();
        return (callee.DeclaringType == typeof(TorchSharp.Scalar) && callee.Name == "op_Implicit")
            || (callee.DeclaringType == typeof(TorchSharp.torch.Tensor) && callee.Name.StartsWith("op_", StringComparison.Ordinal)
                && parameters.Any(p => p.ParameterType.IsPrimitive))
            || (callee.DeclaringType == typeof(TorchSharp.torch.Tensor) && callee.Name == "square")
            || (callee.DeclaringType == typeof(TorchSharp.torch.Tensor) && callee.Name is "add" or "add_" && parameters.Length == 1)
            || (callee.DeclaringType == typeof(TorchSharp.torch.Tensor) && callee.Name == "op_Addition")
            || callee.DeclaringType == typeof(TorchSharp.Modules.BatchNorm2d)
            || (callee.DeclaringType == typeof(TorchSharp.torch.nn) && callee.Name == "BatchNorm2d");
    }

    /// <summary>What to write instead of <paramref name="callee"/>'s temporary Scalar: the HeldScalars method that does it.</summary>
    private static string Fix(MethodBase callee) => (callee.DeclaringType?.Name, callee.Name) switch
    {
        ("Tensor", "op_Multiply") => "write t.Times(x) for t * x",
        ("Tensor", "op_Addition") when callee.GetParameters().Any(p => p.ParameterType.IsPrimitive) => "write t.Plus(x) for t + x",
        ("Tensor", "op_Addition" or "add") => "write a.Plus(b) for a + b (a - b is fine: no alpha)",
        ("Tensor", "add_") => "write a.PlusInPlace(b)",
        ("Tensor", "op_Division") => "write t.Times(1 / x) for t / x",
        ("Tensor", "op_Subtraction") => "write t.Plus(-x) for t - x",
        ("Tensor", "square") => "write t.Squared()",
        ("Scalar", "op_Implicit") => "a number passed where a Scalar is taken: HeldScalars has AtLeast (clamp_min), Clamped (clamp), " +
            "Times/TimesInPlace (mul), DivideInPlace, PlusInPlace, Full, FillInPlace; else hold one: using var s = x.ToScalar()",
        ("BatchNorm2d", _) => "use OGan.Models.BatchNorm2d (TorchSharp's adds a temporary 1 per batch)",
        _ => "hold the Scalar through the call (using var s = x.ToScalar()), or add the operation to OGan.Engine.HeldScalars",
    };

    /// <summary>Every method that <paramref name="method"/> calls or constructs, read from its IL.</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method) => Il.Members(method).OfType<MethodBase>();
}
