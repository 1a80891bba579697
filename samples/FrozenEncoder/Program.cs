// Uses OGan's encoder E as a frozen TorchSharp module inside a model of one's own: a linear classifier on E's
// codes, trained on Fashion-MNIST labels while E stays as the GAN left it.
// dotnet run --project samples/FrozenEncoder -- CHECKPOINT [EPOCHS]
using System.Globalization;
using OGan.Data;
using OGan.Inference;
using OGan.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: FrozenEncoder CHECKPOINT [EPOCHS]");
    return 2;
}

var epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
using var gan = OGanModel.Load(args[0]);             // a Fashion-MNIST checkpoint (e.g. from samples/Training)
using var train = FashionMnist.Load(train: true);
using var test = FashionMnist.Load(train: false);
var trainLabels = tensor(train.Labels!.ToArray());
var testLabels = tensor(test.Labels!.ToArray());

var classifier = new EncoderClassifier(gan.Encoder, classes: 10);
var optimizer = optim.Adam(classifier.parameters().Where(p => p.requires_grad), lr: 1e-2);
var random = new torch.Generator(1);
const int BatchSize = 256;

for (var epoch = 1; epoch <= epochs; epoch++)
{
    classifier.train();                                 // trains the head; E stays in eval mode (see below)
    var order = randperm(train.Count, generator: random);
    for (var start = 0; start + BatchSize <= train.Count; start += BatchSize)
    {
        using var scope = NewDisposeScope();
        var indices = order[start..(start + BatchSize)];
        var images = train.Batch(indices.data<long>().ToArray(), CPU);  // float in [-1, 1]
        var loss = nn.functional.cross_entropy(classifier.forward(images), trainLabels[indices]);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    Console.WriteLine($"epoch {epoch}: test accuracy {Accuracy(classifier, test, testLabels):P1}");
}

return 0;

static double Accuracy(EncoderClassifier classifier, ImageSet images, Tensor labels)
{
    using var scope = NewDisposeScope();
    using var noGrad = no_grad();
    classifier.eval();
    long correct = 0;
    for (var start = 0; start < images.Count; start += 1000)
    {
        var end = Math.Min(start + 1000, images.Count);
        var predicted = classifier.forward(images.Range(start, end, CPU)).argmax(1);
        correct += predicted.eq(labels[start..end]).sum().item<long>();
    }

    return (double)correct / images.Count;
}

/// <summary>E's codes, standardised per image as O-GAN's N(·) does, then a trainable linear layer.</summary>
internal sealed class EncoderClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Encoder encoder;
    private readonly Linear head;

    public EncoderClassifier(Encoder encoder, int classes)
        : base(nameof(EncoderClassifier))
    {
        this.encoder = encoder;
        head = nn.Linear(encoder.Config.LatentDim, classes);
        RegisterComponents();
        foreach (var parameter in encoder.parameters())
        {
            parameter.requires_grad = false;             // frozen: no gradient reaches E's weights
        }
    }

    public override Tensor forward(Tensor images)
    {
        var code = encoder.forward(images);
        var standardised = (code - code.mean([1], keepdim: true)) / (code.std(1, keepdim: true) + 1e-6);
        return head.forward(standardised);
    }

    public override void train(bool on = true)
    {
        base.train(on);
        encoder.eval();                                  // E's BatchNorm keeps the statistics of the GAN's data
    }
}
