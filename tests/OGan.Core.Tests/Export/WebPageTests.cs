using OGan.Core.Tests.Cli;
using OGan.Core.Tests.Serve;
using OGan.Models;
using OGan.Onnx;

namespace OGan.Core.Tests.Export;

/// <summary>The page of `ogan export --web` in a real browser (headless chromium), served by a plain static file server.</summary>
public sealed class WebPageTests
{
    [SkippableFact]
    public async Task The_web_page_samples_interpolates_and_reconstructs_in_the_browser_as_ONNX_Runtime_does()
    {
        var executable = HeadlessChromium.Find();
        Skip.If(executable is null, "no chromium on this machine: ./test.sh installs it (Debian's chromium package), or set OGAN_CHROMIUM");
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var checkpoint = OnnxExportTests.Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 }, data, "fashion-mnist");
        var work = Fixtures.TemporaryFolder();
        var result = Ogan.Run(work, "export", "-c", checkpoint, "-o", "exported", "--web", "web");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("index.html", result.Error + result.Output, StringComparison.Ordinal);

        using var server = new StaticFiles(Path.Combine(work, "web"));
        await using var browser = await HeadlessChromium.Start(executable!);
        await browser.Navigate(server.Url);
        await browser.WaitFor("document.body.dataset.ready === '1'", "the page's first samples", TimeSpan.FromSeconds(90));
        Assert.Equal(8, (await browser.Evaluate("document.querySelectorAll('#samples canvas[data-rendered=\"1\"]').length"))!.GetValue<int>());
        Assert.Equal("1", (await browser.Evaluate("document.getElementById('between').dataset.rendered"))!.GetValue<string>());

        // The browser's samples are ONNX Runtime's (.NET, native) on the same latents, within 1e-3.
        var latents = (await browser.Evaluate("oganWeb.last.latents"))!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        var images = (await browser.Evaluate("oganWeb.last.images"))!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        using var onnx = OnnxModel.Load(Path.Combine(work, "web"));
        var expected = onnx.Generate(latents);
        Assert.Equal(expected.Length, images.Length);
        Assert.InRange(expected.Zip(images, (a, b) => Math.Abs(a - b)).Max(), 0, 1e-3);

        await browser.SetFiles("#upload", Path.Combine(Fixtures.RepositoryRoot, "docs", "images", "fashion-boot.png"));
        await browser.WaitFor("document.getElementById('reconstruction').dataset.rendered === '1'", "the reconstruction of the chosen photo", TimeSpan.FromSeconds(30));
        Assert.Contains("fashion-boot.png", (await browser.Evaluate("document.getElementById('status').textContent"))!.GetValue<string>(), StringComparison.Ordinal);

        Directory.CreateDirectory(BrowserTests.ScreenshotFolder);
        await File.WriteAllBytesAsync(Path.Combine(BrowserTests.ScreenshotFolder, "export-web-page.png"), await browser.Screenshot());
    }
}
