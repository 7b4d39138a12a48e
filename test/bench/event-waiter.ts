/**
 * Worker thread of the sync event-latency case (lib-cases.ts): says `ready` once its handle is open;
 * then on each request says `waiting`, blocks in our sync waitEvent() on its own handle and answers
 * with the time it woke, while the main thread raises the event. process.hrtime is one clock for
 * every thread.
 */
import { parentPort } from 'node:worker_threads';
import { DeviceMapper } from '../../lib/index.js';

const dm = DeviceMapper.open({ nodes: false });
parentPort!.on('message', (message: { uuid: string; eventNr: number } | 'close') => {
  if (message === 'close') {
    dm.close();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage('waiting'); // the main thread then gives us 2 ms to enter the kernel
  dm.waitEvent({ uuid: message.uuid }, message.eventNr);
  parentPort!.postMessage(process.hrtime.bigint());
});
parentPort!.postMessage('ready');
