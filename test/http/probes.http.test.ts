import { api, checked } from '../support/api';
import { describeEachStore } from '../support/each-store';

describeEachStore('probes', (context) => {
  const http = api(context);

  it('when the process runs, then GET /healthz answers 200', async () => {
    const response = await http.get('/healthz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'alive' });
  });

  it('when the store answers a ping, then GET /readyz answers 200 with the store kind', async () => {
    const response = await http.get('/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', store: context.name });
  });

  it('when the service is stopping, then GET /readyz answers 503 while /healthz still answers 200', async () => {
    const stopping = api(context, { stopping: AbortSignal.abort() });

    const ready = await stopping.raw().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(ready.body).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the service is shutting down' });
    expect((await stopping.get('/healthz')).status).toBe(200);
  });

  it.each(['/healthz', '/readyz'])('when %s is sent anything but GET, then it answers 405 with Allow', async (path) => {
    const response = await checked(http.raw().post(path));

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET');
  });
});
