import { render } from 'preact';
import { Credentials } from './auth/credentials.ts';
import { App } from './components/App.tsx';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app');
render(<App credentials={new Credentials()} />, root);
