using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OGan.Imaging;

namespace OGan.Core.Tests.Serve;

/// <summary>The JSON/PNG API of `ogan serve`, over HTTP against the real server process.</summary>
public sealed class ServeApiTests(ServedModel server) : IClassFixture<ServedModel>
{
    private const int Cell = 32 + 2; // a 32 px image and its 2 px border in a grid

    private HttpClient Client => server.Client;

    private static string Photo(string name) => Path.Combine(Fixtures.RepositoryRoot, "docs", "images", name);

    [Fact]
    public async Task Sample_returns_a_png_grid_of_the_requested_size_the_same_for_the_same_seed()
    {
        var first = await Png("/api/sample?seed=1&n=4&columns=2");
        Assert.Equal(new ImageHeader(ImageFormat.Png, 2 * Cell + 2, 2 * Cell + 2), ImageCodec.Probe(first));
        Assert.Equal(first, await Png("/api/sample?seed=1&n=4&columns=2"));
        Assert.NotEqual(first, await Png("/api/sample?seed=2&n=4&columns=2"));
    }

    [Fact]
    public async Task Latents_posted_to_generate_give_the_images_of_sample()
    {
        using var latents = JsonDocument.Parse(await Client.GetStringAsync("/api/latents?seed=5&n=3"));
        var rows = latents.RootElement.GetProperty("latents");
        Assert.Equal(3, rows.GetArrayLength());
        Assert.All(rows.EnumerateArray(), row => Assert.Equal(8, row.GetArrayLength()));

        using var response = await Client.PostAsJsonAsync("/api/generate", new { latents = rows, columns = 3 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await Png("/api/sample?seed=5&n=3&columns=3"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Reconstruct_shows_each_uploaded_image_beside_its_reconstruction_and_encode_returns_codes()
    {
        using var form = Upload("file", Photo("fashion-boot.png"), Photo("fashion-shirt.png"));
        using var response = await Client.PostAsync("/api/reconstruct?scale=0.9", form);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(new ImageHeader(ImageFormat.Png, 4 * Cell + 2, Cell + 2), ImageCodec.Probe(await response.Content.ReadAsByteArrayAsync()));

        using var encodeForm = Upload("file", Photo("fashion-boot.png"));
        using var encoded = JsonDocument.Parse(await (await Client.PostAsync("/api/encode", encodeForm)).Content.ReadAsStringAsync());
        var code = encoded.RootElement.GetProperty("codes")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(8, code.Length);
        Assert.Equal(0, code.Average(), 4); // N(E(x)): standardised per image
        Assert.Equal(1, code.Select(v => v * v).Average(), 3);
    }

    [Fact]
    public async Task Bad_uploads_get_a_one_line_json_error_with_their_status()
    {
        var notAnImage = Path.Combine(server.Folder, "notes.png");
        await System.IO.File.WriteAllTextAsync(notAnImage, "not an image at all");
        await AssertError(HttpStatusCode.BadRequest, "notes.png", () => Client.PostAsync("/api/reconstruct", Upload("file", notAnImage)));
        await AssertError(HttpStatusCode.BadRequest, "multipart/form-data", () => Client.PostAsync("/api/encode", new StringContent("{}")));
        await AssertError(HttpStatusCode.BadRequest, "no image in the form field `file`", () => Client.PostAsync("/api/encode", Upload("other", Photo("fashion-boot.png"))));
        await AssertError(HttpStatusCode.BadRequest, "at most 16 images", () => Client.PostAsync("/api/encode", Upload("file", Enumerable.Repeat(Photo("fashion-boot.png"), 17).ToArray())));

        var large = Path.Combine(server.Folder, "large.png");
        await System.IO.File.WriteAllBytesAsync(large, new byte[3 * 1024 * 1024]); // the server was started with --max-upload-mb 2
        // Expect: 100-continue lets the server refuse before the client sends the body (else the refusal races the upload).
        await AssertError(HttpStatusCode.RequestEntityTooLarge, "too large", () =>
            Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/encode") { Content = Upload("file", large), Headers = { ExpectContinue = true } }));

        await AssertError(HttpStatusCode.BadRequest, "n must be between 1 and 64", () => Client.GetAsync("/api/sample?n=65"));
        await AssertError(HttpStatusCode.BadRequest, "array of 8 numbers", () => Client.PostAsJsonAsync("/api/generate", new { latents = new[] { new[] { 1.0, 2.0 } } }));
        await AssertError(HttpStatusCode.BadRequest, "not JSON", () => Client.PostAsync("/api/generate", new StringContent("nope")));
    }

    [Fact]
    public async Task Requests_from_another_origin_or_host_name_are_refused()
    {
        using var list = JsonDocument.Parse(await Client.GetStringAsync("/api/checkpoints"));
        var name = list.RootElement.GetProperty("checkpoints")[0].GetProperty("name").GetString()!;
        var own = server.Url.TrimEnd('/');

        HttpRequestMessage Switch(params (string Header, string Value)[] headers)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/checkpoints/{name}");
            foreach (var (header, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }

            return request;
        }

        await AssertError(HttpStatusCode.Forbidden, "this server's own page", () => Client.SendAsync(Switch(("Origin", "http://evil.example"))));
        await AssertError(HttpStatusCode.Forbidden, "this server's own page", () => Client.SendAsync(Switch(("Sec-Fetch-Site", "cross-site"))));
        await AssertError(HttpStatusCode.Forbidden, "this server's own page", () =>
            Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/encode") { Content = Upload("file", Photo("fashion-boot.png")), Headers = { { "Origin", "null" } } }));
        using var fromThePage = await Client.SendAsync(Switch(("Origin", own), ("Sec-Fetch-Site", "same-origin")));
        Assert.Equal(HttpStatusCode.OK, fromThePage.StatusCode);

        // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
        await AssertError(HttpStatusCode.Forbidden, "answers only to 127.0.0.1", () =>
            Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/model") { Headers = { Host = "evil.example" } }));
    }

    [Fact]
    public async Task An_upload_over_the_pixel_limit_is_refused_before_it_is_decoded()
    {
        var path = Path.Combine(server.Folder, "huge.png");
        await System.IO.File.WriteAllBytesAsync(path, Imaging.PngFixture.Encode(new byte[6000 * 5000], 6000, 5000, colorType: 0));
        Assert.True(new FileInfo(path).Length < 2 * 1024 * 1024, "the 30-megapixel test file should compress below the upload byte limit");
        await AssertError(HttpStatusCode.BadRequest, "over the limit of 25,000,000 pixels", () => Client.PostAsync("/api/encode", Upload("file", path)));
    }

    [Fact]
    public async Task Beyond_loopback_every_request_needs_the_token_which_the_page_keeps_in_a_cookie()
    {
        const string Token = "0123456789abcdef0123";
        using var process = OGan.Core.Tests.Cli.Ogan.Start(server.Folder, null, "serve", "-c", "runs", "--port", "0", "--host", "0.0.0.0", "--token", Token);
        try
        {
            var printed = await ServedModel.Address(process);
            Assert.Contains($"?token={Token}", printed, StringComparison.Ordinal);
            var port = new Uri(printed).Port;
            using var handler = new HttpClientHandler { UseCookies = true };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await AssertError(HttpStatusCode.Unauthorized, "needs its token", () => client.GetAsync("/api/model"));
            await AssertError(HttpStatusCode.Unauthorized, "needs its token", () => client.GetAsync("/?token=wrong-token-of-some-length"));
            using (var page = await client.GetAsync($"/?token={Token}"))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }

            using (var model = await client.GetAsync("/api/model"))
            {
                Assert.Equal(HttpStatusCode.OK, model.StatusCode); // the cookie the page got
            }

            using var bearer = new HttpClient { BaseAddress = client.BaseAddress };
            bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var withBearer = await bearer.GetAsync("/api/model");
            Assert.Equal(HttpStatusCode.OK, withBearer.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    [Fact]
    public async Task Over_https_with_its_own_certificate_the_token_cookie_is_secure()
    {
        const string Token = "0123456789abcdef0123";
        var cache = Fixtures.TemporaryFolder();
        var lines = new List<string>();
        using var process = OGan.Core.Tests.Cli.Ogan.Start(server.Folder, new Dictionary<string, string> { ["OGAN_CACHE"] = cache },
            "serve", "-c", "runs", "--port", "0", "--host", "0.0.0.0", "--token", Token, "--https");
        try
        {
            var printed = await ServedModel.Address(process, lines.Add);
            Assert.StartsWith("https://", printed, StringComparison.Ordinal);
            var publicFile = Path.Combine(cache, "serve", "serve.crt");
            Assert.Contains(lines, line => line.Contains($"trust {publicFile}", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.Contains("plain HTTP", StringComparison.Ordinal));
            using var trusted = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(publicFile));
            using var handler = new HttpClientHandler
            {
                UseCookies = true,
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(trusted.RawData),
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{new Uri(printed).Port}/") };
            using var page = await client.GetAsync($"/?token={Token}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var cookie = Assert.Single(page.Headers.GetValues("Set-Cookie"));
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            using var model = await client.GetAsync("/api/model");
            Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    [Fact]
    public async Task Plain_http_beyond_loopback_warns_that_the_token_travels_in_clear()
    {
        var lines = new List<string>();
        using var process = OGan.Core.Tests.Cli.Ogan.Start(server.Folder, null, "serve", "-c", "runs", "--port", "0", "--host", "0.0.0.0");
        try
        {
            await ServedModel.Address(process, lines.Add);
            Assert.Contains(lines, line => line.Contains("warning: plain HTTP beyond this machine", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    [Fact]
    public async Task Event_streams_beyond_the_limit_are_refused_and_their_places_come_back()
    {
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 32; i++)
            {
                var stream = await Client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                open.Add(stream);
            }

            await AssertError(HttpStatusCode.ServiceUnavailable, "already watch", () => Client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead));
        }
        finally
        {
            open.ForEach(stream => stream.Dispose());
        }

        // A closed stream gives its place back when the server next writes to it or wakes (every 2 s).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var again = await Client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
            if (again.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no event stream place came back within 30 s of closing them");
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task Only_checkpoints_and_grids_inside_the_given_folders_can_be_reached()
    {
        using var list = JsonDocument.Parse(await Client.GetStringAsync("/api/checkpoints"));
        var names = list.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        var run = Path.GetFileName(server.RunFolder);
        Assert.Equal([$"{run}/checkpoint-000002", $"{run}/checkpoint-000004"], names);

        await AssertError(HttpStatusCode.NotFound, "no checkpoint named", () => Client.PostAsync("/api/checkpoints/..%2F..%2Fetc%2Fpasswd", null));
        await AssertError(HttpStatusCode.NotFound, "no checkpoint named", () => Client.PostAsync($"/api/checkpoints/{run}/..%2F..%2F{run}%2Fcheckpoint-000002", null));
        await AssertError(HttpStatusCode.NotFound, "no grid named", () => Client.GetAsync("/api/run/files/options.json"));
        await AssertError(HttpStatusCode.NotFound, "no grid named", () => Client.GetAsync("/api/run/files/..%2F..%2Fsamples-000004.png"));
        Assert.Equal(ImageFormat.Png, ImageCodec.Probe(await Png("/api/run/files/samples-000004.png")).Format);

        using (var selected = await Client.PostAsync($"/api/checkpoints/{names[0]}", null))
        {
            Assert.Equal(HttpStatusCode.OK, selected.StatusCode);
        }

        using (var model = JsonDocument.Parse(await Client.GetStringAsync("/api/model")))
        {
            Assert.Equal(2, model.RootElement.GetProperty("step").GetInt64());
        }

        (await Client.PostAsync($"/api/checkpoints/{names[1]}", null)).Dispose();
    }

    [Fact]
    public async Task Interpolation_between_seeds_and_between_uploaded_images_returns_one_frame_per_step()
    {
        Assert.Equal(new ImageHeader(ImageFormat.Png, 5 * Cell + 2, Cell + 2), ImageCodec.Probe(await Png("/api/interpolate?a=1&b=2&steps=5&slerp=true")));
        await AssertError(HttpStatusCode.BadRequest, "steps must be between 1 and 32", () => Client.GetAsync("/api/interpolate?a=1&b=2&steps=0"));

        using var form = new MultipartFormDataContent();
        form.Add(FileContent(Photo("fashion-boot.png")), "a", "boot.png");
        form.Add(FileContent(Photo("fashion-trousers.png")), "b", "trousers.png");
        using var response = await Client.PostAsync("/api/interpolate?steps=4", form);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(new ImageHeader(ImageFormat.Png, 4 * Cell + 2, Cell + 2), ImageCodec.Probe(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_result()
    {
        var expected = new List<byte[]>();
        for (var seed = 0; seed < 8; seed++)
        {
            expected.Add(await Png($"/api/sample?seed={seed}&n=4"));
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(seed => Png($"/api/sample?seed={seed}&n=4")));
        Assert.All(Enumerable.Range(0, 8), seed => Assert.Equal(expected[seed], concurrent[seed]));
    }

    [Fact]
    public async Task Directions_are_unit_vectors_of_the_latent_size_from_training_images()
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync("/api/directions"));
        Assert.Contains("training images", json.RootElement.GetProperty("source").GetString(), StringComparison.Ordinal);
        var directions = json.RootElement.GetProperty("directions").EnumerateArray().ToList();
        Assert.Equal(8, directions.Count);
        Assert.All(directions, d => Assert.Equal(1.0, Math.Sqrt(d.EnumerateArray().Sum(v => v.GetDouble() * v.GetDouble())), 3));
        var deviations = json.RootElement.GetProperty("deviations").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(deviations.OrderByDescending(v => v), deviations);
    }

    [Fact]
    public async Task The_page_its_script_the_run_and_its_events_are_served()
    {
        var page = await Client.GetStringAsync("/");
        Assert.Contains("<script src=\"/app.js\"></script>", page, StringComparison.Ordinal);
        using (var script = await Client.GetAsync("/app.js"))
        {
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        }

        using var run = JsonDocument.Parse(await Client.GetStringAsync("/api/run"));
        Assert.Equal(2, run.RootElement.GetProperty("stats").GetArrayLength());
        Assert.Equal("samples-000004.png", run.RootElement.GetProperty("samples").GetString());
        Assert.Equal(4, run.RootElement.GetProperty("options").GetProperty("training").GetProperty("steps").GetInt32());

        using var events = await Client.GetStreamAsync("/api/events");
        using var reader = new StreamReader(events);
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("event: run", first);
    }

    private async Task<byte[]> Png(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task AssertError(HttpStatusCode status, string expected, Func<Task<HttpResponseMessage>> request)
    {
        using var response = await request();
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var message = json.RootElement.GetProperty("error").GetString()!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    private static MultipartFormDataContent Upload(string field, params string[] paths)
    {
        var form = new MultipartFormDataContent();
        foreach (var path in paths)
        {
            form.Add(FileContent(path), field, Path.GetFileName(path));
        }

        return form;
    }

    private static ByteArrayContent FileContent(string path)
    {
        var content = new ByteArrayContent(System.IO.File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
