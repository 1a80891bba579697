using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// Runs an inference-only ONNX graph of image operators in TorchSharp, batched, on any device: Conv,
/// BatchNormalization, Relu, Add, Sub, MaxPool, AveragePool, Split and Concat (opset 8's forms, as ML.NET's
/// CNTK exports of ResNet use them, with asymmetric pads). The batch axis of the graph's input may be any size.
/// Other operators are refused when the graph is loaded.
/// </summary>
internal sealed class OnnxGraph : IDisposable
{
    private static readonly HashSet<string> Supported = ["Conv", "BatchNormalization", "Relu", "Add", "Sub", "MaxPool", "AveragePool", "Split", "Concat"];

    private readonly Dictionary<string, Tensor> initializers;
    private readonly IReadOnlyList<NodeProto> nodes;
    private readonly string input;
    private readonly string output;

    private OnnxGraph(GraphProto graph, Device device)
    {
        nodes = graph.Node;
        // The weights belong to the graph, not to whatever dispose scope its caller has open.
        initializers = graph.Initializer.ToDictionary(t => t.Name, t => ToTensor(t, device).DetachFromDisposeScope());
        input = graph.Input.Select(i => i.Name).Single(name => !initializers.ContainsKey(name));
        output = graph.Output.Single().Name;
    }

    /// <summary>Reads the graph in <paramref name="path"/>, its weights on <paramref name="device"/>.</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model, or an operator this runner does not have.</exception>
    public static OnnxGraph Load(string path, Device device)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not an ONNX model ({e.Message})", e);
        }

        if (model.Graph is null || model.Graph.Output.Count != 1)
        {
            throw new InvalidDataException($"{path}: not an ONNX graph with one output");
        }

        if (model.Graph.Node.FirstOrDefault(n => !Supported.Contains(n.OpType) || n.Domain is { Length: > 0 }) is { } unknown)
        {
            throw new InvalidDataException($"{path}: operator {unknown.OpType} (node {unknown.Name}) is not one OGan runs; it runs {string.Join(", ", Supported)}");
        }

        return new OnnxGraph(model.Graph, device);
    }

    /// <summary>The graph's output for <paramref name="x"/> (any batch size), in float32.</summary>
    public Tensor Run(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = new Dictionary<string, Tensor>(initializers) { [input] = x };
        foreach (var node in nodes)
        {
            var results = Apply(node, node.Input.Select(name => name.Length == 0 ? null : values[name]).ToArray());
            for (var i = 0; i < results.Length; i++)
            {
                values[node.Output[i]] = results[i];
            }
        }

        return values[output].MoveToOuterDisposeScope();
    }

    private static Tensor[] Apply(NodeProto node, Tensor?[] inputs)
    {
        Tensor In(int i) => inputs[i] ?? throw new InvalidDataException($"node {node.Name} ({node.OpType}) lacks input {i}");
        return node.OpType switch
        {
            "Conv" => [Convolution(node, In(0), In(1), inputs.Length > 2 ? inputs[2] : null)],
            "BatchNormalization" => [nn.functional.batch_norm(In(0), In(3), In(4), In(1), In(2), training: false, eps: Float(node, "epsilon", 1e-5))],
            "Relu" => [nn.functional.relu(In(0))],
            "Add" => [In(0) + In(1)],
            "Sub" => [In(0) - In(1)],
            "MaxPool" => [Pool(node, Padded(node, In(0), double.NegativeInfinity), max: true)],
            "AveragePool" => [Pool(node, In(0), max: false)],
            "Split" => Split(node, In(0)),
            "Concat" => [cat(inputs.Select((t, i) => t ?? In(i)).ToArray(), Int(node, "axis", 1))],
            _ => throw new InvalidDataException($"operator {node.OpType} is not supported"),
        };
    }

    private static Tensor Convolution(NodeProto node, Tensor x, Tensor weight, Tensor? bias)
    {
        var strides = Ints(node, "strides") ?? [1, 1];
        var dilations = Ints(node, "dilations") ?? [1, 1];
        return nn.functional.conv2d(Padded(node, x, 0), weight, bias, strides, [0, 0], dilations, Int(node, "group", 1));
    }

    private static Tensor Pool(NodeProto node, Tensor x, bool max)
    {
        var kernel = Ints(node, "kernel_shape") ?? throw new InvalidDataException($"node {node.Name} has no kernel_shape");
        var strides = Ints(node, "strides") ?? [1, 1];
        if (max)
        {
            return nn.functional.max_pool2d(x, kernel, strides);
        }

        // Padded averages would need count_include_pad; the graphs OGan runs pool without pads here.
        return (Ints(node, "pads") ?? [0, 0, 0, 0]).Any(p => p != 0)
            ? throw new InvalidDataException($"node {node.Name}: padded AveragePool is not supported")
            : nn.functional.avg_pool2d(x, kernel, strides);
    }

    /// <summary>x padded by the node's ONNX pads (begin h, begin w, end h, end w), which may differ at each end.</summary>
    private static Tensor Padded(NodeProto node, Tensor x, double value)
    {
        if (Text(node, "auto_pad") is { Length: > 0 } autoPad && autoPad != "NOTSET" && autoPad != "VALID")
        {
            throw new InvalidDataException($"node {node.Name}: auto_pad {autoPad} is not supported");
        }

        var pads = Ints(node, "pads");
        return pads is null || pads.All(p => p == 0)
            ? x
            : nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]], PaddingModes.Constant, value);
    }

    private static Tensor[] Split(NodeProto node, Tensor x)
    {
        var axis = Int(node, "axis", 0);
        var sizes = Ints(node, "split") ?? Enumerable.Repeat(x.shape[axis] / node.Output.Count, node.Output.Count).ToArray();
        return x.split(sizes, axis);
    }

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { Ints.Count: > 0 } a ? [.. a.Ints] : null;

    private static int Int(NodeProto node, string name, int fallback) => Attribute(node, name) is { } a ? (int)a.I : fallback;

    private static double Float(NodeProto node, string name, double fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    private static string? Text(NodeProto node, string name) => Attribute(node, name)?.S.ToStringUtf8();

    private static Tensor ToTensor(TensorProto proto, Device device)
    {
        if (proto.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException($"initializer {proto.Name}: data type {proto.DataType} is not float32");
        }

        var shape = proto.Dims.ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var values = proto.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(proto.RawData.Span).ToArray()
            : [.. proto.FloatData];
        if (values.Length != count)
        {
            throw new InvalidDataException($"initializer {proto.Name}: {values.Length} values for shape [{string.Join(", ", shape)}]");
        }

        var weight = tensor(values, shape);
        if (device.type == DeviceType.CPU)
        {
            return weight;
        }

        using (weight)
        {
            return weight.to(device);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var weight in initializers.Values)
        {
            weight.Dispose();
        }
    }
}
