using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Export;

/// <summary>
/// Builds an ONNX graph (ONNX's own protobuf classes, from OnnxSharp): float32 inputs and outputs whose first
/// axis is a dynamic batch, weights copied from tensors, and nodes in order. One writer, one graph.
/// </summary>
internal sealed class OnnxGraphWriter
{
    /// <summary>The opset of every graph OGan writes: ONNX Runtime 1.32 runs all of it, and onnxruntime-web too.</summary>
    public const int Opset = 17;

    // IR version 8 is the one that introduced opset 17.
    private const long IrVersion = 8;
    private const string Batch = "batch";

    private readonly GraphProto graph;
    private int nodeCount;

    public OnnxGraphWriter(string name) => graph = new GraphProto { Name = name };

    /// <summary>Declares a float32 input of shape (batch, <paramref name="shape"/>...).</summary>
    public string Input(string name, params long[] shape)
    {
        graph.Input.Add(Value(name, shape));
        return name;
    }

    /// <summary>Declares the float32 value <paramref name="name"/>, of shape (batch, <paramref name="shape"/>...), an output.</summary>
    public void Output(string name, params long[] shape) => graph.Output.Add(Value(name, shape));

    /// <summary>A float32 weight from <paramref name="tensor"/> (copied to the CPU), named <paramref name="name"/>.</summary>
    public string Weight(string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
        var proto = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan())),
        };
        proto.Dims.AddRange(values.shape);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A constant int64 vector (e.g. a shape for Reshape).</summary>
    public string Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A constant float32 vector (e.g. the scales of Resize).</summary>
    public string Floats(string name, params float[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.Add(values.Length);
        proto.FloatData.AddRange(values);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A constant float32 scalar.</summary>
    public string Float(string name, float value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a node of <paramref name="op"/> on <paramref name="inputs"/>; returns its output's name (<paramref name="output"/> if given).</summary>
    public string Node(string op, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        var name = $"{op}_{nodeCount++}";
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output ?? name);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output ?? name;
    }

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A string attribute.</summary>
    public static AttributeProto Text(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float32(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>The finished model.</summary>
    public ModelProto ToModel(string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "OGan",
            ProducerVersion = typeof(OnnxGraphWriter).Assembly.GetName().Version?.ToString(3) ?? "",
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = Batch });
        foreach (var size in shape)
        {
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}
