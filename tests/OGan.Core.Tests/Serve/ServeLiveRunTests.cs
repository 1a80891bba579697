using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OGan.Core.Tests.Cli;
using OGan.Imaging;

namespace OGan.Core.Tests.Serve;

/// <summary>`ogan serve` on a 128 px RGB model of real photos, while `ogan train` goes on writing its run.</summary>
public sealed class ServeLiveRunTests
{
    private const int Cell = 128 + 2;

    [Fact]
    public async Task A_128_px_RGB_model_serves_and_the_page_follows_the_run_as_it_trains()
    {
        var folder = Fixtures.TemporaryFolder();
        var photos = Path.Combine(folder, "photos");
        Directory.CreateDirectory(photos);
        foreach (var photo in Fixtures.SharedPhotos("afhq").Take(8))
        {
            File.Copy(photo, Path.Combine(photos, Path.GetFileName(photo)));
        }

        string[] train = ["train", "--data", "photos", "--res", "128", "--grow", "none", "--width", "16", "--zdim", "16", "--batch", "4", "--log-every", "1", "--calibration-images", "8", "--out", "runs"];
        var first = Ogan.Run(folder, [.. train, "--steps", "2"]);
        Assert.True(first.ExitCode == 0, first.Error);
        var run = Directory.GetDirectories(Path.Combine(folder, "runs")).Single();

        using var server = Ogan.Start(folder, null, "serve", "-c", "runs", "--port", "0");
        var url = await ServedModel.Address(server);
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        try
        {
            using (var sample = await client.GetAsync("/api/sample?seed=1&n=4"))
            {
                Assert.Equal(HttpStatusCode.OK, sample.StatusCode);
                Assert.Equal(new ImageHeader(ImageFormat.Png, 2 * Cell + 2, 2 * Cell + 2), ImageCodec.Probe(await sample.Content.ReadAsByteArrayAsync()));
            }

            using (var form = new MultipartFormDataContent())
            {
                var jpeg = new ByteArrayContent(await File.ReadAllBytesAsync(Directory.GetFiles(photos)[0]));
                jpeg.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                form.Add(jpeg, "file", "photo.jpg");
                using var reconstructed = await client.PostAsync("/api/reconstruct", form);
                Assert.True(reconstructed.StatusCode == HttpStatusCode.OK, await reconstructed.Content.ReadAsStringAsync());
                Assert.Equal(new ImageHeader(ImageFormat.Png, 2 * Cell + 2, Cell + 2), ImageCodec.Probe(await reconstructed.Content.ReadAsByteArrayAsync()));
            }

            Assert.Equal(2, await StatsRows(client));
            using var events = new StreamReader(await client.GetStreamAsync("/api/events"));
            Assert.Equal("event: run", await events.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            await events.ReadLineAsync(); // data
            await events.ReadLineAsync(); // the blank line that ends the event

            var resumed = Ogan.Run(folder, "train", "--resume", run, "--steps", "4", "--log-every", "1");
            Assert.True(resumed.ExitCode == 0, resumed.Error);
            Assert.Equal("event: run", await events.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))); // the page hears of it
            Assert.Equal(4, await StatsRows(client));
            using var list = JsonDocument.Parse(await client.GetStringAsync("/api/checkpoints"));
            Assert.Contains(list.RootElement.GetProperty("checkpoints").EnumerateArray(), c => c.GetProperty("step").GetInt64() == 4);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static async Task<int> StatsRows(HttpClient client)
    {
        using var run = JsonDocument.Parse(await client.GetStringAsync("/api/run"));
        return run.RootElement.GetProperty("stats").GetArrayLength();
    }
}
