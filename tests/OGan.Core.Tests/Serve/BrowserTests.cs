namespace OGan.Core.Tests.Serve;

/// <summary>The page of `ogan serve` in a real browser (headless chromium) against the real server.</summary>
public sealed class BrowserTests(ServedModel server) : IClassFixture<ServedModel>
{
    /// <summary>Where the screenshot is kept: artifacts/screenshots in the repository (ignored by git).</summary>
    public static string ScreenshotFolder => Path.Combine(Fixtures.RepositoryRoot, "artifacts", "screenshots");

    [SkippableFact]
    public async Task The_page_shows_samples_and_the_reconstruction_of_an_uploaded_image()
    {
        var executable = HeadlessChromium.Find();
        Skip.If(executable is null, "no chromium on this machine: ./test.sh installs it (Debian's chromium package), or set OGAN_CHROMIUM");

        await using var browser = await HeadlessChromium.Start(executable!);
        await browser.Navigate(server.Url);
        await browser.WaitFor("document.getElementById('samples').dataset.loaded === '1'", "the sample grid", TimeSpan.FromSeconds(60));
        Assert.Equal(4 * 34 + 2, (await browser.Evaluate("document.getElementById('samples').naturalWidth"))!.GetValue<int>()); // 16 samples, 4 per row
        Assert.Contains("z 8", (await browser.Evaluate("document.getElementById('model').textContent"))!.GetValue<string>(), StringComparison.Ordinal);

        await browser.SetFiles("#upload", Path.Combine(Fixtures.RepositoryRoot, "docs", "images", "fashion-boot.png"));
        await browser.WaitFor(
            "document.querySelector('#uploads .reconstruction')?.dataset.loaded === '1'", "the reconstruction of the uploaded image", TimeSpan.FromSeconds(60));
        Assert.Equal(34 + 2, (await browser.Evaluate("document.querySelector('#uploads .reconstruction').naturalWidth"))!.GetValue<int>());
        Assert.Contains("fashion-boot.png", (await browser.Evaluate("document.querySelector('#uploads .name').textContent"))!.GetValue<string>(), StringComparison.Ordinal);
        await browser.WaitFor("document.querySelectorAll('#curves svg').length >= 3", "the training curves", TimeSpan.FromSeconds(30));
        Assert.NotEqual("error", (await browser.Evaluate("document.getElementById('status').className"))?.GetValue<string>());

        Directory.CreateDirectory(ScreenshotFolder);
        var screenshot = Path.Combine(ScreenshotFolder, "serve-page.png");
        await File.WriteAllBytesAsync(screenshot, await browser.Screenshot());
        Console.WriteLine($"screenshot: {screenshot}");
    }
}
